// The C API of CDCMTK.h over DCMTK's dcmdata, dcmjpeg, dcmjpls and RLE decoders.

#include "CDCMTK.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dctk.h>
#include <dcmtk/dcmdata/dcistrmb.h>
#include <dcmtk/dcmdata/dcostrmb.h>
#include <dcmtk/dcmdata/dcpixseq.h>
#include <dcmtk/dcmdata/dcrledrg.h>
#include <dcmtk/dcmjpeg/djdecode.h>
#include <dcmtk/dcmjpls/djdecode.h>
#include <dcmtk/oflog/oflog.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>
#include <cerrno>

struct cdcm_object {
    DcmFileFormat file;
};

namespace {

/** Largest value DCMTK keeps in memory while parsing; longer ones (Pixel Data) are read on demand. */
const Uint32 kMaxReadLength = 4096;

std::once_flag initializeOnce;

/** Silences DCMTK's logger and registers the decoders, once per process. */
void initialize() {
    std::call_once(initializeOnce, [] {
        OFLog::configure(OFLogger::OFF_LOG_LEVEL);
        DJDecoderRegistration::registerCodecs();
        DJLSDecoderRegistration::registerCodecs();
        DcmRLEDecoderRegistration::registerCodecs();
    });
}

int fail(cdcm_status *status, int code, const std::string &message) {
    if (status != nullptr) {
        status->code = code;
        std::snprintf(status->message, sizeof status->message, "%s", message.c_str());
    }
    return code;
}

void succeed(cdcm_status *status) {
    if (status != nullptr) {
        status->code = CDCM_OK;
        status->message[0] = '\0';
    }
}

/** Maps a failed parse to a code. DCMTK reports a file that ends inside an attribute as a
 *  premature end of stream (EC_StreamNotifyClient) at the top level and as an invalid stream
 *  (EC_InvalidStream) inside sequences; both mean the parser needed bytes the file lacks. */
int parseFailure(cdcm_status *status, const OFCondition &condition) {
    if (condition == EC_StreamNotifyClient || condition == EC_InvalidStream) {
        return fail(status, CDCM_TRUNCATED, "truncated DICOM file: the data ends inside an attribute");
    }
    return fail(status, CDCM_CORRUPT, std::string("corrupt DICOM data (") + condition.text() + ")");
}

long copyString(const OFString &value, char *buffer, size_t capacity) {
    if (buffer != nullptr && capacity > 0) {
        std::snprintf(buffer, capacity, "%s", value.c_str());
    }
    return static_cast<long>(value.length());
}

/** The item holding top-level attributes of `group`: the meta header for 0002, else the data set. */
DcmItem *itemFor(const cdcm_object *object, uint16_t group) {
    auto &file = const_cast<DcmFileFormat &>(object->file);
    return group == 0x0002 ? static_cast<DcmItem *>(file.getMetaInfo()) : file.getDataset();
}

bool readInteger(DcmElement *element, long &value) {
    if (element == nullptr || element->getVM() == 0) {
        return false;
    }
    switch (element->ident()) {
    case EVR_US: { Uint16 v; if (element->getUint16(v).good()) { value = v; return true; } break; }
    case EVR_SS: { Sint16 v; if (element->getSint16(v).good()) { value = v; return true; } break; }
    case EVR_UL: { Uint32 v; if (element->getUint32(v).good()) { value = static_cast<long>(v); return true; } break; }
    case EVR_SL: { Sint32 v; if (element->getSint32(v).good()) { value = v; return true; } break; }
    case EVR_IS: {
        // Parsed here, not by getSint32, which wraps a value beyond 32 bits (4294967296 read as 0).
        OFString text;
        if (element->getOFString(text, 0).good()) {
            const char *start = text.c_str();
            char *end = nullptr;
            errno = 0;
            const long long v = std::strtoll(start, &end, 10);
            while (end != nullptr && *end == ' ') ++end;
            if (errno == 0 && end != start && end != nullptr && *end == '\0') { value = static_cast<long>(v); return true; }
        }
        break;
    }
    default: {
        Uint16 u; Sint16 s;
        if (element->getUint16(u).good()) { value = u; return true; }
        if (element->getSint16(s).good()) { value = s; return true; }
        break;
    }
    }
    return false;
}

void putCode(DcmItem *item, const char *value, const char *scheme, const char *meaning) {
    item->putAndInsertString(DCM_CodeValue, value);
    item->putAndInsertString(DCM_CodingSchemeDesignator, scheme);
    item->putAndInsertString(DCM_CodeMeaning, meaning);
}

bool hasCode(DcmItem *item, const DcmTagKey &sequence, const char *value) {
    DcmItem *codeItem = nullptr;
    OFString code;
    return item->findAndGetSequenceItem(sequence, codeItem, 0).good() && codeItem != nullptr &&
           codeItem->findAndGetOFString(DCM_CodeValue, code).good() && code == value;
}

/** The uncompressed predecessor named in a functional-group item's Derivation Image Sequence. */
bool derivationSource(DcmItem *group, OFString &uid) {
    DcmSequenceOfItems *derivations = nullptr;
    if (group == nullptr || group->findAndGetSequence(DCM_DerivationImageSequence, derivations).bad() ||
        derivations == nullptr) {
        return false;
    }
    for (unsigned long d = 0; d < derivations->card(); ++d) {
        DcmSequenceOfItems *sources = nullptr;
        if (derivations->getItem(d)->findAndGetSequence(DCM_SourceImageSequence, sources).bad() || sources == nullptr) {
            continue;
        }
        for (unsigned long s = 0; s < sources->card(); ++s) {
            DcmItem *source = sources->getItem(s);
            if (hasCode(source, DCM_PurposeOfReferenceCodeSequence, "121320") &&
                source->findAndGetOFString(DCM_ReferencedSOPInstanceUID, uid).good() && !uid.empty()) {
                return true;
            }
        }
    }
    return false;
}

void visitItem(DcmItem *item, const std::string &prefix, cdcm_attribute_visitor visitor, void *context,
               std::vector<Uint8> &scratch) {
    for (unsigned long index = 0; index < item->card(); ++index) {
        DcmElement *element = item->getElement(index);
        const DcmTag &tag = element->getTag();
        char name[16];
        std::snprintf(name, sizeof name, "(%04X,%04X)", tag.getGTag(), tag.getETag());
        const std::string path = prefix + name;
        if (element->ident() == EVR_SQ) {
            auto *sequence = static_cast<DcmSequenceOfItems *>(element);
            const std::string count = std::to_string(sequence->card());
            visitor(context, path.c_str(), "SQ", reinterpret_cast<const uint8_t *>(count.data()), count.size());
            for (unsigned long itemIndex = 0; itemIndex < sequence->card(); ++itemIndex) {
                visitItem(sequence->getItem(itemIndex), path + "[" + std::to_string(itemIndex) + "].", visitor,
                          context, scratch);
            }
            continue;
        }
        Uint32 length = element->getLength();
        if (element->ident() == EVR_pixelSQ || length == DCM_UndefinedLength) {
            visitor(context, path.c_str(), tag.getVRName(), nullptr, 0);
            continue;
        }
        scratch.resize(length);
        if (length > 0 && element->getPartialValue(scratch.data(), 0, length, nullptr, EBO_LittleEndian).bad()) {
            length = 0;
        }
        visitor(context, path.c_str(), tag.getVRName(), scratch.data(), length);
    }
}

/** Appends `value` as one more value of a multi-valued string attribute. */
OFCondition appendValue(DcmItem *dataset, const DcmTagKey &key, const char *value) {
    OFString existing;
    dataset->findAndGetOFStringArray(key, existing);
    const OFString joined = existing.empty() ? OFString(value) : existing + "\\" + value;
    return dataset->putAndInsertString(key, joined.c_str());
}

/** Replaces value 1 of Image Type (0008,0008) by DERIVED, keeping the other values. */
OFCondition markDerived(DcmItem *dataset) {
    OFString imageType;
    dataset->findAndGetOFStringArray(DCM_ImageType, imageType);
    const size_t separator = imageType.find('\\');
    const OFString rest = separator == OFString_npos ? OFString() : imageType.substr(separator);
    return dataset->putAndInsertString(DCM_ImageType, (OFString("DERIVED") + rest).c_str());
}

/** Replaces a frame's Derivation Image functional group by one that describes the derivation and
 *  references frame `frameNumber` (1-based) of the source instance. */
OFCondition addDerivationGroup(DcmItem *frameGroups, const char *description, const OFString &sourceClass,
                               const OFString &sourceInstance, unsigned long frameNumber) {
    frameGroups->findAndDeleteElement(DCM_DerivationImageSequence);
    DcmItem *derivation = nullptr, *derivationCode = nullptr, *source = nullptr, *purpose = nullptr;
    OFCondition condition = frameGroups->findOrCreateSequenceItem(DCM_DerivationImageSequence, derivation, -2);
    if (condition.good()) condition = derivation->findOrCreateSequenceItem(DCM_DerivationCodeSequence, derivationCode, -2);
    if (condition.good()) condition = derivation->findOrCreateSequenceItem(DCM_SourceImageSequence, source, -2);
    if (condition.good()) condition = source->findOrCreateSequenceItem(DCM_PurposeOfReferenceCodeSequence, purpose, -2);
    if (condition.bad()) {
        return condition;
    }
    derivation->putAndInsertString(DCM_DerivationDescription, description);
    putCode(derivationCode, "113040", "DCM", "Lossy Compression");
    source->putAndInsertString(DCM_ReferencedSOPClassUID, sourceClass.c_str());
    source->putAndInsertString(DCM_ReferencedSOPInstanceUID, sourceInstance.c_str());
    source->putAndInsertString(DCM_ReferencedFrameNumber, std::to_string(frameNumber).c_str());
    putCode(purpose, "121320", "DCM", "Uncompressed predecessor");
    return source->putAndInsertString(DCM_SpatialLocationsPreserved, "YES");
}

} // namespace

extern "C" {

cdcm_object *cdcm_open_file(const char *path, cdcm_status *status) {
    initialize();
    FILE *stream = std::fopen(path, "rb");
    if (stream == nullptr) {
        fail(status, CDCM_IO, std::string("cannot open: ") + std::strerror(errno));
        return nullptr;
    }
    unsigned char head[132];
    const size_t headLength = std::fread(head, 1, sizeof head, stream);
    std::fclose(stream);
    const bool partTen = headLength == sizeof head && std::memcmp(head + 128, "DICM", 4) == 0;
    // Without the Part 10 prefix, accept only a bare data set that starts with a group 0008 tag.
    const bool bareDataSet = !partTen && headLength >= 8 && head[0] == 0x08 && head[1] == 0x00;
    if (!partTen && !bareDataSet) {
        fail(status, CDCM_NOT_DICOM, headLength == 0 ? "not a DICOM file (empty)"
                                                      : "not a DICOM file (no DICM prefix at byte 128)");
        return nullptr;
    }
    if (!dcmDataDict.isDictionaryLoaded()) {
        fail(status, CDCM_IO, "DCMTK's data dictionary is not loaded (check DCMDICTPATH)");
        return nullptr;
    }
    auto *object = new cdcm_object();
    const OFCondition condition = object->file.loadFile(path, EXS_Unknown, EGL_noChange, kMaxReadLength,
                                                        partTen ? ERM_fileOnly : ERM_dataset);
    if (condition.bad()) {
        parseFailure(status, condition);
        delete object;
        return nullptr;
    }
    succeed(status);
    return object;
}

cdcm_object *cdcm_open_bytes(const uint8_t *bytes, size_t count, cdcm_status *status) {
    initialize();
    auto *object = new cdcm_object();
    DcmInputBufferStream stream;
    stream.setBuffer(bytes, static_cast<offile_off_t>(count));
    stream.setEos();
    object->file.transferInit();
    const OFCondition condition = object->file.read(stream, EXS_Unknown, EGL_noChange, DCM_MaxReadLength);
    object->file.transferEnd();
    stream.releaseBuffer();
    if (condition.bad()) {
        parseFailure(status, condition);
        delete object;
        return nullptr;
    }
    succeed(status);
    return object;
}

void cdcm_close(cdcm_object *object) { delete object; }

long cdcm_string(const cdcm_object *object, uint16_t group, uint16_t element, char *buffer, size_t capacity) {
    OFString value;
    if (itemFor(object, group)->findAndGetOFStringArray(DcmTagKey(group, element), value).bad()) {
        return -1;
    }
    return copyString(value, buffer, capacity);
}

int cdcm_integer(const cdcm_object *object, uint16_t group, uint16_t element, long *value) {
    DcmElement *found = nullptr;
    if (itemFor(object, group)->findAndGetElement(DcmTagKey(group, element), found).bad()) {
        return 0;
    }
    return readInteger(found, *value) ? 1 : 0;
}

void cdcm_pixel_data(const cdcm_object *object, cdcm_pixel_data_info *info) {
    *info = cdcm_pixel_data_info{0, 0, 0, 0};
    DcmDataset *dataset = const_cast<DcmFileFormat &>(object->file).getDataset();
    DcmElement *element = nullptr;
    if (dataset->findAndGetElement(DCM_PixelData, element).bad() || element == nullptr) {
        return;
    }
    info->present = 1;
    const E_TransferSyntax xfer = dataset->getOriginalXfer();
    if (DcmXfer(xfer).isEncapsulated()) {
        info->encapsulated = 1;
        DcmPixelSequence *sequence = nullptr;
        auto *pixelData = static_cast<DcmPixelData *>(element);
        if (pixelData->getEncapsulatedRepresentation(xfer, nullptr, sequence).good() && sequence != nullptr) {
            info->fragments = sequence->card() > 0 ? static_cast<long>(sequence->card()) - 1 : 0;
        }
    } else {
        info->length = element->getLength();
    }
}

uint64_t cdcm_frame_size(const cdcm_object *object) {
    DcmDataset *dataset = const_cast<DcmFileFormat &>(object->file).getDataset();
    DcmElement *element = nullptr;
    if (dataset->findAndGetElement(DCM_PixelData, element).bad() || element == nullptr) {
        return 0;
    }
    Uint32 size = 0;
    if (static_cast<DcmPixelData *>(element)->getUncompressedFrameSize(dataset, size).bad()) {
        return 0;
    }
    return size;
}

int cdcm_read_frame(cdcm_object *object, uint32_t frame, void *buffer, size_t capacity, cdcm_status *status) {
    DcmDataset *dataset = object->file.getDataset();
    DcmElement *element = nullptr;
    if (dataset->findAndGetElement(DCM_PixelData, element).bad() || element == nullptr) {
        return fail(status, CDCM_MISSING, "no Pixel Data");
    }
    auto *pixelData = static_cast<DcmPixelData *>(element);
    Uint32 size = 0;
    OFCondition condition = pixelData->getUncompressedFrameSize(dataset, size);
    if (condition.bad()) {
        return fail(status, CDCM_INVALID, std::string("cannot size a frame: ") + condition.text());
    }
    const size_t evenSize = size + (size & 1);
    if (capacity < evenSize) {
        return fail(status, CDCM_INVALID, "frame buffer too small");
    }
    Uint32 startFragment = 0;
    OFString colorModel;
    condition = pixelData->getUncompressedFrame(dataset, frame, startFragment, buffer,
                                                static_cast<Uint32>(evenSize), colorModel, nullptr);
    if (condition.bad()) {
        return fail(status, CDCM_DECODE, std::string("cannot decode: ") + condition.text());
    }
    succeed(status);
    return CDCM_OK;
}

int cdcm_header_bytes(cdcm_object *object, uint8_t **bytes, size_t *count, cdcm_status *status) {
    *bytes = nullptr;
    *count = 0;
    DcmFileFormat &file = object->file;
    file.getDataset()->findAndDeleteElement(DCM_PixelData);
    std::vector<char> chunk(1 << 16);
    std::vector<uint8_t> output;
    DcmOutputBufferStream stream(chunk.data(), chunk.size());
    file.transferInit();
    OFCondition condition;
    do {
        condition = file.write(stream, EXS_LittleEndianExplicit, EET_ExplicitLength, nullptr, EGL_recalcGL,
                               EPD_noChange, 0, 0, 0, EWM_fileformat);
        void *written = nullptr;
        offile_off_t length = 0;
        stream.flushBuffer(written, length);
        const auto *start = static_cast<const uint8_t *>(written);
        output.insert(output.end(), start, start + length);
    } while (condition == EC_StreamNotifyClient);
    file.transferEnd();
    if (condition.bad()) {
        return fail(status, CDCM_WRITE, std::string("cannot encode the header: ") + condition.text());
    }
    *bytes = static_cast<uint8_t *>(std::malloc(output.size()));
    if (*bytes == nullptr) {
        return fail(status, CDCM_WRITE, "out of memory");
    }
    std::memcpy(*bytes, output.data(), output.size());
    *count = output.size();
    succeed(status);
    return CDCM_OK;
}

void cdcm_free(void *pointer) { std::free(pointer); }

int cdcm_visit_attributes(cdcm_object *object, int include_meta, cdcm_attribute_visitor visitor, void *context,
                          cdcm_status *status) {
    std::vector<Uint8> scratch;
    if (include_meta) {
        visitItem(object->file.getMetaInfo(), "", visitor, context, scratch);
    }
    visitItem(object->file.getDataset(), "", visitor, context, scratch);
    succeed(status);
    return CDCM_OK;
}

long cdcm_derivation_source(const cdcm_object *object, char *buffer, size_t capacity) {
    DcmDataset *dataset = const_cast<DcmFileFormat &>(object->file).getDataset();
    OFString uid;
    DcmItem *group = nullptr;
    if (dataset->findAndGetSequenceItem(DCM_PerFrameFunctionalGroupsSequence, group, 0).good() &&
        derivationSource(group, uid)) {
        return copyString(uid, buffer, capacity);
    }
    if (dataset->findAndGetSequenceItem(DCM_SharedFunctionalGroupsSequence, group, 0).good() &&
        derivationSource(group, uid)) {
        return copyString(uid, buffer, capacity);
    }
    return -1;
}

int cdcm_write_derived(const uint8_t *header, size_t header_count, const cdcm_derivation *derivation,
                       const char *path, cdcm_status *status) {
    cdcm_object *object = cdcm_open_bytes(header, header_count, status);
    if (object == nullptr) {
        return status != nullptr ? status->code : CDCM_CORRUPT;
    }
    struct Closer { cdcm_object *object; ~Closer() { delete object; } } closer{object};
    DcmDataset *dataset = object->file.getDataset();

    OFString sourceClass, sourceInstance;
    if (dataset->findAndGetOFString(DCM_SOPClassUID, sourceClass).bad() || sourceClass.empty() ||
        dataset->findAndGetOFString(DCM_SOPInstanceUID, sourceInstance).bad() || sourceInstance.empty()) {
        return fail(status, CDCM_MISSING, "the header has no SOP Class UID or SOP Instance UID");
    }
    DcmSequenceOfItems *perFrame = nullptr;
    if (dataset->findAndGetSequence(DCM_PerFrameFunctionalGroupsSequence, perFrame).bad() || perFrame == nullptr ||
        perFrame->card() == 0) {
        // The sequence is optional for octarc's purpose: make one empty item per frame, to carry
        // each frame's Derivation Image group (the reference to the original frame).
        Sint32 frames = 0;
        if (dataset->findAndGetSint32(DCM_NumberOfFrames, frames).bad() || frames < 1) frames = 1;
        perFrame = new DcmSequenceOfItems(DCM_PerFrameFunctionalGroupsSequence);
        for (Sint32 frame = 0; frame < frames; ++frame) perFrame->append(new DcmItem());
        if (dataset->insert(perFrame, OFTrue).bad()) {
            delete perFrame;
            return fail(status, CDCM_INVALID, "cannot add a Per-frame Functional Groups Sequence");
        }
    }

    OFCondition condition = dataset->putAndInsertString(DCM_SOPInstanceUID, derivation->sop_instance_uid);
    if (condition.good()) condition = markDerived(dataset);
    if (condition.good()) condition = dataset->putAndInsertString(DCM_LossyImageCompression, "01");
    if (condition.good()) condition = appendValue(dataset, DCM_LossyImageCompressionRatio, derivation->compression_ratio);
    if (condition.good()) condition = appendValue(dataset, DCM_LossyImageCompressionMethod, derivation->compression_method);
    DcmItem *shared = nullptr;
    if (condition.good() && dataset->findAndGetSequenceItem(DCM_SharedFunctionalGroupsSequence, shared, 0).good()) {
        shared->findAndDeleteElement(DCM_DerivationImageSequence);  // now a per-frame group
    }
    std::vector<unsigned long> sourceFrames;  // 1-based source frame of each written frame
    if (derivation->source_frame_count == 0) {
        for (unsigned long frame = 1; frame <= perFrame->card(); ++frame) sourceFrames.push_back(frame);
    } else {
        for (size_t i = 0; i < derivation->source_frame_count; ++i) {
            const unsigned long frame = derivation->source_frames[i];
            if (frame < 1 || frame > perFrame->card()) {
                return fail(status, CDCM_INVALID, "source frame " + std::to_string(frame) + " is not in 1..." +
                                                      std::to_string(perFrame->card()));
            }
            sourceFrames.push_back(frame);
        }
        // Keep the functional groups of the chosen frames only, in the order given.
        std::vector<DcmItem *> kept;
        for (unsigned long frame : sourceFrames) kept.push_back(new DcmItem(*perFrame->getItem(frame - 1)));
        perFrame->clear();
        for (DcmItem *item : kept) perFrame->append(item);
        condition = dataset->putAndInsertString(DCM_NumberOfFrames, std::to_string(sourceFrames.size()).c_str());
    }
    for (unsigned long frame = 0; condition.good() && frame < perFrame->card(); ++frame) {
        condition = addDerivationGroup(perFrame->getItem(frame), derivation->derivation_description, sourceClass,
                                       sourceInstance, sourceFrames[frame]);
    }
    if (condition.bad()) {
        return fail(status, CDCM_INVALID, std::string("cannot set derived-image attributes: ") + condition.text());
    }

    // DCMTK's own array, filled by the caller: no joined copy of the frames on either side.
    auto *pixelData = new DcmPixelData(DCM_PixelData);
    const size_t bytes = derivation->pixel_bytes;
    if (bytes > 0xFFFFFFF0u || derivation->fill_pixels == nullptr ||
        (derivation->bits_allocated != 8 && bytes % 2 != 0)) {
        delete pixelData;
        return fail(status, CDCM_INVALID, "cannot set Pixel Data: invalid length " + std::to_string(bytes));
    }
    if (derivation->bits_allocated == 8) {
        pixelData->setVR(EVR_OB);
        Uint8 *target = nullptr;
        condition = pixelData->createUint8Array(static_cast<Uint32>(bytes + bytes % 2), target);
        if (condition.good()) {
            derivation->fill_pixels(derivation->fill_context, target, bytes);
            if (bytes % 2 != 0) target[bytes] = 0;  // Pixel Data has an even length
        }
    } else {
        pixelData->setVR(EVR_OW);
        Uint16 *target = nullptr;
        condition = pixelData->createUint16Array(static_cast<Uint32>(bytes / 2), target);
        if (condition.good()) derivation->fill_pixels(derivation->fill_context, target, bytes);
    }
    if (condition.good()) {
        condition = dataset->insert(pixelData, OFTrue);
    } else {
        delete pixelData;
    }
    if (condition.bad()) {
        return fail(status, CDCM_INVALID, std::string("cannot set Pixel Data: ") + condition.text());
    }
    condition = object->file.saveFile(path, EXS_LittleEndianExplicit, EET_ExplicitLength, EGL_recalcGL,
                                      EPD_noChange, 0, 0, EWM_updateMeta);
    if (condition.bad()) {
        return fail(status, CDCM_WRITE, std::string("cannot write: ") + condition.text());
    }
    succeed(status);
    return CDCM_OK;
}

void cdcm_prepare(void) {
    initialize();
    (void)dcmDataDict.isDictionaryLoaded();
}

const char *cdcm_uid_name(const char *uid) { return dcmFindNameOfUID(uid, nullptr); }

} // extern "C"
