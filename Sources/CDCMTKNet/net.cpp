// The C API of CDCMTKNet.h over DCMTK's dcmnet (DcmSCU and the ASC layer).

#include "CDCMTKNet.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dctk.h>
#include <dcmtk/dcmnet/assoc.h>
#include <dcmtk/dcmnet/diutil.h>
#include <dcmtk/dcmnet/dimse.h>
#include <dcmtk/dcmnet/dul.h>
#include <dcmtk/dcmnet/scp.h>
#include <dcmtk/dcmnet/scu.h>
#include <dcmtk/oflog/oflog.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <thread>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace {

std::once_flag initializeOnce;

void initialize() {
    std::call_once(initializeOnce, [] { OFLog::configure(OFLogger::OFF_LOG_LEVEL); });
}

int fail(cnet_status *status, int code, const std::string &message) {
    if (status != nullptr) {
        status->code = code;
        std::snprintf(status->message, sizeof status->message, "%s", message.c_str());
    }
    return code;
}

void succeed(cnet_status *status) {
    if (status != nullptr) {
        status->code = CNET_OK;
        status->dimse_status = 0;
        status->message[0] = '\0';
    }
}

bool contains(const char *text, const char *part) { return text != nullptr && std::strstr(text, part) != nullptr; }

/** For a peer that aborts right after accepting: the usual cause. */
std::string abortHint(const OFCondition &condition, const cnet_node *node) {
    if (condition != DUL_PEERABORTEDASSOCIATION) return "";
    return std::string("; does the node know the calling AE title ") + node->calling_aet + " and allow it this operation?";
}

/** Sorts a failed condition into a code, with a message that says what happened. */
int classify(cnet_status *status, const OFCondition &condition, const std::string &what) {
    const char *text = condition.text();
    if (condition == DUL_READTIMEOUT || condition == DIMSE_NODATAAVAILABLE || contains(text, "timed out") ||
        contains(text, "Timeout") || contains(text, "timeout")) {
        return fail(status, CNET_TIMEOUT, what + ": no answer in time (" + text + ")");
    }
    if (condition == NET_EC_NoAcceptablePresentationContexts) {
        return fail(status, CNET_NO_CONTEXT, what + ": the peer accepted no presentation context");
    }
    if (condition == DUL_PEERABORTEDASSOCIATION || condition == DUL_NETWORKCLOSED || condition == DIMSE_READPDVFAILED ||
        condition == DIMSE_RECEIVEFAILED || condition == DUL_PEERREQUESTEDRELEASE || condition == DIMSE_SENDFAILED) {
        return fail(status, CNET_LOST, what + ": the association broke off (" + text + ")");
    }
    if (condition == DUL_REQUESTASSOCIATIONFAILED || contains(text, "refused") || contains(text, "TCP Initialization") ||
        contains(text, "unreachable") || contains(text, "Name or service")) {
        return fail(status, CNET_REFUSED, what + ": cannot connect (" + text + ")");
    }
    return fail(status, CNET_LOST, what + ": " + text);
}

std::string flatten(const OFString &text) {
    std::string out;
    for (char c : std::string(text.c_str())) {
        if (c == '\n') {
            out += "; ";
        } else if (c != '\r') {
            out += c;
        }
    }
    while (!out.empty() && (out.back() == ' ' || out.back() == ';')) out.pop_back();
    return out;
}

std::string peerAddress(const cnet_node *node) {
    return std::string(node->host) + ":" + std::to_string(node->port);
}

/** Opens an association with the ASC layer directly (Verification only), so that a rejection's
 *  reason can be read. Returns CNET_OK with `association` and `network` set, or an error. */
int requestVerification(const cnet_node *node, T_ASC_Network **network, T_ASC_Association **association,
                        cnet_status *status) {
    *network = nullptr;
    *association = nullptr;
    dcmConnectionTimeout.set(node->connect_timeout > 0 ? node->connect_timeout : -1);
    int acse = node->acse_timeout > 0 ? node->acse_timeout : 30;
    OFCondition condition = ASC_initializeNetwork(NET_REQUESTOR, 0, acse, network);
    if (condition.bad()) return fail(status, CNET_IO, std::string("cannot start the network layer: ") + condition.text());
    T_ASC_Parameters *parameters = nullptr;
    ASC_createAssociationParameters(&parameters, ASC_DEFAULTMAXPDU);
    ASC_setAPTitles(parameters, node->calling_aet, node->called_aet, nullptr);
    ASC_setPresentationAddresses(parameters, "localhost", peerAddress(node).c_str());
    const char *syntaxes[] = {UID_LittleEndianExplicitTransferSyntax, UID_LittleEndianImplicitTransferSyntax};
    ASC_addPresentationContext(parameters, 1, UID_VerificationSOPClass, syntaxes, 2);
    condition = ASC_requestAssociation(*network, parameters, association);
    if (condition.bad()) {
        int code;
        if (condition == DUL_ASSOCIATIONREJECTED) {
            T_ASC_RejectParameters rejection;
            ASC_getRejectParameters(parameters, &rejection);
            OFString text;
            ASC_printRejectParameters(text, &rejection);
            code = fail(status, CNET_REJECTED, "association rejected by " + std::string(node->called_aet) + "@" +
                                                   peerAddress(node) + " (calling AE title " + node->calling_aet +
                                                   "): " + flatten(text));
        } else {
            code = classify(status, condition, "association with " + peerAddress(node));
        }
        if (*association != nullptr) {
            ASC_destroyAssociation(association);
        } else {
            ASC_destroyAssociationParameters(&parameters);
        }
        ASC_dropNetwork(network);
        return code;
    }
    if (ASC_countAcceptedPresentationContexts(parameters) == 0) {
        ASC_abortAssociation(*association);
        ASC_destroyAssociation(association);
        ASC_dropNetwork(network);
        return fail(status, CNET_NO_CONTEXT, std::string(node->called_aet) + "@" + peerAddress(node) +
                                                 " accepted no presentation context for Verification");
    }
    return CNET_OK;
}

/** The reason a DcmSCU association failed; for a rejection, asks again through the ASC layer to
 *  read the reason, which DcmSCU does not expose. */
int associationFailure(const cnet_node *node, const OFCondition &condition, const char *service, cnet_status *status) {
    if (condition == DUL_ASSOCIATIONREJECTED) {
        T_ASC_Network *network = nullptr;
        T_ASC_Association *association = nullptr;
        if (requestVerification(node, &network, &association, status) == CNET_OK) {
            ASC_releaseAssociation(association);
            ASC_destroyAssociation(&association);
            ASC_dropNetwork(&network);
            return fail(status, CNET_REJECTED, std::string("association for ") + service + " rejected by " +
                                                   node->called_aet + "@" + peerAddress(node));
        }
        return status->code;
    }
    if (condition == NET_EC_NoAcceptablePresentationContexts) {
        return fail(status, CNET_NO_CONTEXT, std::string(node->called_aet) + "@" + peerAddress(node) +
                                                 " accepted no presentation context for " + service);
    }
    return classify(status, condition, std::string(service) + " with " + node->called_aet + "@" + peerAddress(node));
}

/** Writes a received data set as `directory/<SOP Instance UID>.dcm` (temporary name, then rename)
 *  in the transfer syntax it came in; takes ownership of `incoming`. Returns the C-STORE status to
 *  answer with; sets `path` on success and `error` on failure. */
Uint16 writeReceived(const std::string &directory, DcmDataset *incoming, const OFString &transferSyntax, std::string &path,
                     std::string &error) {
    OFString sop;
    incoming->findAndGetOFString(DCM_SOPInstanceUID, sop);
    bool valid = !sop.empty() && sop.length() <= 64;
    for (char c : std::string(sop.c_str())) valid = valid && ((c >= '0' && c <= '9') || c == '.');
    if (!valid) {
        delete incoming;
        error = "an instance without a valid SOP Instance UID was sent";
        return STATUS_STORE_Error_CannotUnderstand;
    }
    E_TransferSyntax xfer = DcmXfer(transferSyntax.c_str()).getXfer();
    path = directory + "/" + sop.c_str() + ".dcm";
    std::string temporary = directory + "/." + sop.c_str() + ".partial";
    DcmFileFormat file(incoming);
    delete incoming;
    OFCondition condition = file.saveFile(temporary.c_str(), xfer == EXS_Unknown ? EXS_LittleEndianExplicit : xfer);
    if (condition.bad() || std::rename(temporary.c_str(), path.c_str()) != 0) {
        std::remove(temporary.c_str());
        error = "cannot write " + path + (condition.bad() ? std::string(": ") + condition.text() : "");
        return STATUS_STORE_Refused_OutOfResources;
    }
    return STATUS_Success;
}

/** A storage SCP for the instances a C-MOVE sends: writes them like writeReceived, until told to stop. */
class Receiver : public DcmSCP {
  public:
    std::string directory;
    cnet_received received = nullptr;
    void *context = nullptr;
    std::atomic<bool> done{false};
    std::atomic<unsigned> written{0};
    std::string error;

    OFCondition handleIncomingCommand(T_DIMSE_Message *message, const DcmPresentationContextInfo &info) override {
        if (message->CommandField != DIMSE_C_STORE_RQ) return DcmSCP::handleIncomingCommand(message, info);
        T_DIMSE_C_StoreRQ &request = message->msg.CStoreRQ;
        DcmDataset *dataset = nullptr;
        OFCondition condition = receiveSTORERequest(request, info.presentationContextID, dataset);
        if (condition.bad()) {
            delete dataset;
            return condition;
        }
        std::string path, failure;
        Uint16 answer = writeReceived(directory, dataset, info.acceptedTransferSyntax, path, failure);
        if (answer == STATUS_Success) {
            written += 1;
            OFString sop(request.AffectedSOPInstanceUID);
            if (received != nullptr && received(context, path.c_str(), sop.c_str()) != 0) {
                failure = "the retrieve was stopped";
                answer = STATUS_STORE_Refused_OutOfResources;
            }
        }
        if (!failure.empty() && error.empty()) error = failure;
        return sendSTOREResponse(info.presentationContextID, request, answer);
    }

    OFBool stopAfterConnectionTimeout() override { return done.load(); }
};

/** DcmSCU that writes instances received during a C-GET atomically into a folder. */
class Client : public DcmSCU {
  public:
    std::string directory;
    cnet_received received = nullptr;
    void *context = nullptr;
    unsigned written = 0;
    std::string storeError;

    void configure(const cnet_node *node) {
        setAETitle(node->calling_aet);
        setPeerHostName(node->host);
        setPeerPort(node->port);
        setPeerAETitle(node->called_aet);
        setConnectionTimeout(node->connect_timeout > 0 ? node->connect_timeout : -1);
        setACSETimeout(node->acse_timeout > 0 ? node->acse_timeout : 30);
        setDIMSEBlockingMode(DIMSE_NONBLOCKING);
        setDIMSETimeout(node->dimse_timeout > 0 ? node->dimse_timeout : 60);
    }

    int open(const cnet_node *node, const char *service, cnet_status *status) {
        configure(node);
        OFCondition condition = initNetwork();
        if (condition.bad()) return fail(status, CNET_IO, std::string("cannot start the network layer: ") + condition.text());
        condition = negotiateAssociation();
        if (condition.bad()) return associationFailure(node, condition, service, status);
        return CNET_OK;
    }

    OFCondition handleSTORERequest(const T_ASC_PresentationContextID presID, DcmDataset *incoming,
                                   OFBool &continueSession, Uint16 &storeStatus) override {
        continueSession = OFTrue;
        if (incoming == nullptr) return DIMSE_NULLKEY;
        OFString abstractSyntax, transferSyntax;
        findPresentationContext(presID, abstractSyntax, transferSyntax);
        std::string path, failure;
        storeStatus = writeReceived(directory, incoming, transferSyntax, path, failure);
        if (storeStatus != STATUS_Success) {
            storeError = failure;
            continueSession = OFFalse;
            return EC_Normal;
        }
        written += 1;
        const char *name = std::strrchr(path.c_str(), '/');
        std::string uid = std::string(name ? name + 1 : path.c_str());
        uid = uid.substr(0, uid.size() - 4);
        if (received != nullptr && received(context, path.c_str(), uid.c_str()) != 0) {
            storeError = "the retrieve was stopped";
            continueSession = OFFalse;
        }
        return EC_Normal;
    }
};

std::string hex(Uint16 value) {
    char text[8];
    std::snprintf(text, sizeof text, "0x%04X", value);
    return text;
}

DcmDataset *queryDataset(const char *level, const cnet_key *keys, size_t count) {
    auto *dataset = new DcmDataset();
    dataset->putAndInsertString(DCM_QueryRetrieveLevel, level);
    for (size_t i = 0; i < count; i++) {
        dataset->putAndInsertString(DcmTagKey(keys[i].group, keys[i].element), keys[i].value ? keys[i].value : "");
    }
    return dataset;
}

const char *const kStorageSyntaxes[] = {
    UID_LittleEndianExplicitTransferSyntax, UID_LittleEndianImplicitTransferSyntax,
    UID_DeflatedExplicitVRLittleEndianTransferSyntax, UID_JPEGProcess1TransferSyntax,
    UID_JPEGProcess2_4TransferSyntax, UID_JPEGProcess14TransferSyntax, UID_JPEGProcess14SV1TransferSyntax,
    UID_JPEGLSLosslessTransferSyntax, UID_JPEGLSLossyTransferSyntax, UID_RLELosslessTransferSyntax,
    UID_JPEG2000LosslessOnlyTransferSyntax, UID_JPEG2000TransferSyntax,
};

}  // namespace

extern "C" {

int cnet_echo(const cnet_node *node, cnet_status *status) {
    initialize();
    succeed(status);
    if (node == nullptr || node->host == nullptr || node->called_aet == nullptr || node->calling_aet == nullptr) {
        return fail(status, CNET_INVALID, "no node given");
    }
    T_ASC_Network *network = nullptr;
    T_ASC_Association *association = nullptr;
    int code = requestVerification(node, &network, &association, status);
    if (code != CNET_OK) return code;
    DIC_US answer = 0;
    DcmDataset *detail = nullptr;
    int timeout = node->dimse_timeout > 0 ? node->dimse_timeout : 60;
    OFCondition condition = DIMSE_echoUser(association, association->nextMsgID++, DIMSE_NONBLOCKING, timeout, &answer, &detail);
    delete detail;
    if (condition.bad()) {
        code = classify(status, condition, "C-ECHO to " + std::string(node->called_aet) + "@" + peerAddress(node));
        ASC_abortAssociation(association);
    } else {
        ASC_releaseAssociation(association);
        if (answer != STATUS_Success) {
            status->dimse_status = answer;
            code = fail(status, CNET_FAILED, "C-ECHO answered with status " + hex(answer));
        }
    }
    ASC_destroyAssociation(&association);
    ASC_dropNetwork(&network);
    return code;
}

int cnet_find(const cnet_node *node, const char *level, const cnet_key *keys, size_t key_count,
              cnet_match_visitor visitor, void *context, cnet_status *status) {
    initialize();
    succeed(status);
    Client client;
    OFList<OFString> syntaxes;
    syntaxes.push_back(UID_LittleEndianExplicitTransferSyntax);
    syntaxes.push_back(UID_LittleEndianImplicitTransferSyntax);
    client.addPresentationContext(UID_FINDStudyRootQueryRetrieveInformationModel, syntaxes);
    int code = client.open(node, "C-FIND", status);
    if (code != CNET_OK) return code;
    T_ASC_PresentationContextID context_id = client.findPresentationContextID(UID_FINDStudyRootQueryRetrieveInformationModel, "");
    if (context_id == 0) {
        client.abortAssociation();
        return fail(status, CNET_NO_CONTEXT, "the peer accepted no presentation context for C-FIND (Study Root)");
    }
    DcmDataset *query = queryDataset(level, keys, key_count);
    OFList<QRResponse *> responses;
    OFCondition condition = client.sendFINDRequest(context_id, query, &responses);
    delete query;
    size_t match = 0;
    Uint16 last = 0;
    for (QRResponse *response : responses) {
        last = response->m_status;
        if (response->m_dataset != nullptr && DICOM_PENDING_STATUS(response->m_status)) {
            for (size_t i = 0; i < key_count; i++) {
                OFString value;
                response->m_dataset->findAndGetOFStringArray(DcmTagKey(keys[i].group, keys[i].element), value);
                if (visitor != nullptr) visitor(context, match, keys[i].group, keys[i].element, value.c_str());
            }
            match++;
        }
        delete response;
    }
    if (condition.bad()) {
        code = classify(status, condition, "C-FIND on " + std::string(node->called_aet) + "@" + peerAddress(node));
        fail(status, code, std::string(status->message) + abortHint(condition, node));
        client.abortAssociation();
        return code;
    }
    client.releaseAssociation();
    if (last != STATUS_Success) {
        status->dimse_status = last;
        return fail(status, CNET_FAILED, "C-FIND answered with status " + hex(last));
    }
    return CNET_OK;
}

// The status of the last response of a C-GET or C-MOVE, with the sub-operation counts of its final
// (non-pending) response copied to `counts`; `final_seen` says whether one arrived. Frees the responses.
static Uint16 summarizeRetrieve(OFList<RetrieveResponse *> &responses, cnet_retrieve_counts *counts, bool *final_seen) {
    Uint16 last = 0;
    for (RetrieveResponse *response : responses) {
        last = response->m_status;
        if (!DICOM_PENDING_STATUS(response->m_status)) {
            *final_seen = true;
            if (counts != nullptr) {
                counts->completed = response->m_numberOfCompletedSubops;
                counts->failed = response->m_numberOfFailedSubops;
                counts->warning = response->m_numberOfWarningSubops;
            }
        }
        delete response;
    }
    return last;
}

int cnet_get(const cnet_node *node, const char *level, const cnet_key *keys, size_t key_count,
             const char *const *sop_classes, size_t sop_class_count, const char *directory, cnet_received received,
             void *context, cnet_retrieve_counts *counts, cnet_status *status) {
    initialize();
    succeed(status);
    if (counts != nullptr) *counts = cnet_retrieve_counts{0, 0, 0, 0};
    size_t syntaxCount = sizeof kStorageSyntaxes / sizeof kStorageSyntaxes[0];
    if (sop_class_count == 0 || 1 + sop_class_count * syntaxCount > 128) {
        return fail(status, CNET_INVALID, "between 1 and 10 storage SOP classes can be retrieved at once");
    }
    Client client;
    client.directory = directory;
    client.received = received;
    client.context = context;
    OFList<OFString> syntaxes;
    syntaxes.push_back(UID_LittleEndianExplicitTransferSyntax);
    syntaxes.push_back(UID_LittleEndianImplicitTransferSyntax);
    client.addPresentationContext(UID_GETStudyRootQueryRetrieveInformationModel, syntaxes);
    // One context per transfer syntax, so that the peer can send each instance as it holds it.
    for (size_t i = 0; i < sop_class_count; i++) {
        for (size_t j = 0; j < syntaxCount; j++) {
            OFList<OFString> one;
            one.push_back(kStorageSyntaxes[j]);
            client.addPresentationContext(sop_classes[i], one, ASC_SC_ROLE_SCP);
        }
    }
    int code = client.open(node, "C-GET", status);
    if (code != CNET_OK) return code;
    T_ASC_PresentationContextID context_id = client.findPresentationContextID(UID_GETStudyRootQueryRetrieveInformationModel, "");
    if (context_id == 0) {
        client.abortAssociation();
        return fail(status, CNET_NO_CONTEXT, "the peer accepted no presentation context for C-GET (Study Root)");
    }
    DcmDataset *query = queryDataset(level, keys, key_count);
    OFList<RetrieveResponse *> responses;
    OFCondition condition = client.sendCGETRequest(context_id, query, &responses);
    delete query;
    bool finalSeen = false;
    Uint16 last = summarizeRetrieve(responses, counts, &finalSeen);
    if (counts != nullptr) counts->received = client.written;
    std::string where = "C-GET from " + std::string(node->called_aet) + "@" + peerAddress(node);
    if (!client.storeError.empty()) {
        client.abortAssociation();
        return fail(status, CNET_IO, where + ": " + client.storeError);
    }
    if (condition.bad() || !finalSeen) {
        code = condition.bad() ? classify(status, condition, where)
                               : fail(status, CNET_LOST, where + ": the peer sent no final response");
        if (condition.bad()) fail(status, code, std::string(status->message) + abortHint(condition, node));
        client.abortAssociation();
        return code;
    }
    client.releaseAssociation();
    if (last != STATUS_Success) {
        status->dimse_status = last;
        return fail(status, CNET_FAILED, where + ": final status " + hex(last) + ", " +
                                             std::to_string(counts ? counts->failed : 0) + " sub-operations failed");
    }
    return CNET_OK;
}

int cnet_move(const cnet_node *node, const char *level, const cnet_key *keys, size_t key_count,
              const char *const *sop_classes, size_t sop_class_count, uint16_t listen_port, const char *directory,
              cnet_received received, void *context, cnet_retrieve_counts *counts, cnet_status *status) {
    initialize();
    succeed(status);
    if (counts != nullptr) *counts = cnet_retrieve_counts{0, 0, 0, 0};
    size_t syntaxCount = sizeof kStorageSyntaxes / sizeof kStorageSyntaxes[0];
    if (sop_class_count == 0 || sop_class_count > 100 || listen_port == 0) {
        return fail(status, CNET_INVALID, "C-MOVE needs 1 to 100 storage SOP classes and a port to listen on");
    }
    Receiver receiver;
    receiver.directory = directory;
    receiver.received = received;
    receiver.context = context;
    receiver.setPort(listen_port);
    receiver.setAETitle(node->calling_aet);
    receiver.setConnectionBlockingMode(DUL_NOBLOCK);
    receiver.setConnectionTimeout(1);
    receiver.setACSETimeout(node->acse_timeout > 0 ? node->acse_timeout : 30);
    receiver.setDIMSEBlockingMode(DIMSE_NONBLOCKING);
    receiver.setDIMSETimeout(node->dimse_timeout > 0 ? node->dimse_timeout : 60);
    OFList<OFString> syntaxes;
    // The peer's own transfer syntax is preferred, so instances arrive as the node holds them.
    for (size_t j = syntaxCount; j-- > 0;) syntaxes.push_back(kStorageSyntaxes[j]);
    for (size_t i = 0; i < sop_class_count; i++) receiver.addPresentationContext(sop_classes[i], syntaxes);
    OFList<OFString> verification;
    verification.push_back(UID_LittleEndianExplicitTransferSyntax);
    verification.push_back(UID_LittleEndianImplicitTransferSyntax);
    receiver.addPresentationContext(UID_VerificationSOPClass, verification);
    OFCondition condition = receiver.openListenPort();
    if (condition.bad()) {
        return fail(status, CNET_IO, "cannot listen on port " + std::to_string(listen_port) + " for C-MOVE: " + condition.text());
    }
    std::thread listening([&receiver] { receiver.acceptAssociations(); });
    auto stopListening = [&] {
        receiver.done = true;
        listening.join();
    };

    Client client;
    OFList<OFString> uncompressed;
    uncompressed.push_back(UID_LittleEndianExplicitTransferSyntax);
    uncompressed.push_back(UID_LittleEndianImplicitTransferSyntax);
    client.addPresentationContext(UID_MOVEStudyRootQueryRetrieveInformationModel, uncompressed);
    int code = client.open(node, "C-MOVE", status);
    if (code != CNET_OK) {
        stopListening();
        return code;
    }
    T_ASC_PresentationContextID context_id = client.findPresentationContextID(UID_MOVEStudyRootQueryRetrieveInformationModel, "");
    if (context_id == 0) {
        client.abortAssociation();
        stopListening();
        return fail(status, CNET_NO_CONTEXT, "the peer accepted no presentation context for C-MOVE (Study Root)");
    }
    DcmDataset *query = queryDataset(level, keys, key_count);
    OFList<RetrieveResponse *> responses;
    condition = client.sendMOVERequest(context_id, node->calling_aet, query, &responses);
    delete query;
    bool finalSeen = false;
    Uint16 last = summarizeRetrieve(responses, counts, &finalSeen);
    std::string where = "C-MOVE from " + std::string(node->called_aet) + "@" + peerAddress(node) + " to " +
                        node->calling_aet + " on port " + std::to_string(listen_port);
    if (condition.bad() || !finalSeen) {
        code = condition.bad() ? classify(status, condition, where)
                               : fail(status, CNET_LOST, where + ": the peer sent no final response");
        if (condition.bad()) fail(status, code, std::string(status->message) + abortHint(condition, node));
        client.abortAssociation();
        stopListening();
        return code;
    }
    client.releaseAssociation();
    stopListening();
    if (counts != nullptr) counts->received = receiver.written;
    if (!receiver.error.empty()) return fail(status, CNET_IO, where + ": " + receiver.error);
    if (last != STATUS_Success) {
        status->dimse_status = last;
        std::string hint = last == 0xA801 ? " (the node does not know the destination AE title "
                                                + std::string(node->calling_aet) + ")"
                           : receiver.written == 0 ? " (nothing arrived: does the node know " + std::string(node->calling_aet)
                                                         + " at this machine's address and port " + std::to_string(listen_port) + "?)"
                                                   : "";
        return fail(status, CNET_FAILED, where + ": final status " + hex(last) + hint + ", " +
                                             std::to_string(counts ? counts->failed : 0) + " sub-operations failed");
    }
    return CNET_OK;
}

int cnet_store(const cnet_node *node, const char *const *paths, size_t count, cnet_stored stored, void *context,
               cnet_status *status) {
    initialize();
    succeed(status);
    // What each file is, from its meta information (Pixel Data is not read).
    std::vector<std::pair<std::string, std::string>> kinds(count);
    std::vector<std::string> unreadable(count);
    std::map<std::string, std::set<std::string>> contexts;
    for (size_t i = 0; i < count; i++) {
        DcmFileFormat file;
        OFCondition condition = file.loadFile(paths[i], EXS_Unknown, EGL_noChange, 4096);
        OFString sopClass, syntax;
        if (condition.good()) {
            file.getMetaInfo()->findAndGetOFString(DCM_MediaStorageSOPClassUID, sopClass);
            file.getMetaInfo()->findAndGetOFString(DCM_TransferSyntaxUID, syntax);
        }
        if (condition.bad() || sopClass.empty() || syntax.empty()) {
            unreadable[i] = condition.bad() ? std::string("cannot read it: ") + condition.text()
                                            : "no SOP class or transfer syntax in its meta information";
            continue;
        }
        kinds[i] = {sopClass.c_str(), syntax.c_str()};
        contexts[sopClass.c_str()].insert(syntax.c_str());
    }
    Client client;
    client.setDatasetConversionMode(OFTrue);
    size_t proposed = 0;
    for (auto &entry : contexts) {
        OFList<OFString> uncompressed;
        uncompressed.push_back(UID_LittleEndianExplicitTransferSyntax);
        uncompressed.push_back(UID_LittleEndianImplicitTransferSyntax);
        for (auto &syntax : entry.second) {
            if (syntax != UID_LittleEndianExplicitTransferSyntax && syntax != UID_LittleEndianImplicitTransferSyntax &&
                proposed < 120) {
                OFList<OFString> one;
                one.push_back(syntax.c_str());
                client.addPresentationContext(entry.first.c_str(), one);
                proposed++;
            }
        }
        if (proposed < 127) {
            client.addPresentationContext(entry.first.c_str(), uncompressed);
            proposed++;
        }
    }
    if (proposed == 0) {
        for (size_t i = 0; i < count; i++) {
            if (stored != nullptr) stored(context, i, 0xFFFF, unreadable[i].c_str());
        }
        return fail(status, CNET_IO, "none of the files can be read");
    }
    int code = client.open(node, "C-STORE", status);
    if (code != CNET_OK) return code;
    for (size_t i = 0; i < count; i++) {
        if (!unreadable[i].empty()) {
            if (stored != nullptr) stored(context, i, 0xFFFF, unreadable[i].c_str());
            continue;
        }
        T_ASC_PresentationContextID context_id =
            client.findAnyPresentationContextID(kinds[i].first.c_str(), kinds[i].second.c_str());
        if (context_id == 0) {
            std::string message = "the peer accepted no presentation context for SOP class " + kinds[i].first;
            if (stored != nullptr) stored(context, i, 0xFFFF, message.c_str());
            continue;
        }
        Uint16 answer = 0;
        OFCondition condition = client.sendSTORERequest(context_id, paths[i], nullptr, answer);
        if (condition.bad()) {
            code = classify(status, condition, "C-STORE to " + std::string(node->called_aet) + "@" + peerAddress(node));
            bool lost = code == CNET_LOST || code == CNET_TIMEOUT || code == CNET_REFUSED;
            if (stored != nullptr) stored(context, i, 0xFFFF, status->message);
            if (lost) {
                for (size_t j = i + 1; j < count; j++) {
                    if (stored != nullptr) stored(context, j, 0xFFFF, "not sent: the association broke off");
                }
                client.abortAssociation();
                return code;
            }
            succeed(status);
            code = CNET_OK;
            continue;
        }
        if (stored != nullptr) stored(context, i, answer, "");
    }
    client.releaseAssociation();
    return CNET_OK;
}

}  // extern "C"
