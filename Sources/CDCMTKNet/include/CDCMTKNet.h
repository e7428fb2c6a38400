#pragma once
/*
 * A small C API over DCMTK 3.6 dcmnet: C-ECHO, C-FIND, C-GET and C-STORE as a service class user.
 *
 * Every call opens its own association, does its work and releases it; nothing is shared between
 * calls, so calls may run on different threads. Functions fill a cnet_status and never abort or
 * exit. DCMTK's own logging is switched off. Nothing here deletes or modifies data on the peer.
 */
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** What went wrong; CNET_OK (0) is success. */
typedef enum {
    CNET_OK = 0,
    CNET_REFUSED = 1,      /* no TCP connection: refused, unreachable, unknown host */
    CNET_REJECTED = 2,     /* the peer rejected the association; the reason is in the message */
    CNET_NO_CONTEXT = 3,   /* the peer accepted no presentation context that the call needs */
    CNET_TIMEOUT = 4,      /* connect, association or response timeout */
    CNET_FAILED = 5,       /* the peer answered with a failure status (dimse_status) */
    CNET_LOST = 6,         /* the association broke off (peer aborted, connection closed) */
    CNET_INVALID = 7,      /* an argument is out of range */
    CNET_IO = 8            /* a local file cannot be read or written */
} cnet_code;

typedef struct {
    int code;
    uint16_t dimse_status;  /* the last DIMSE status received (0 when none) */
    char message[512];
} cnet_status;

/** Where to connect, as whom, and how long to wait (seconds; 0: DCMTK's default). */
typedef struct {
    const char *host;
    uint16_t port;
    const char *called_aet;
    const char *calling_aet;
    int connect_timeout;
    int acse_timeout;
    int dimse_timeout;
} cnet_node;

/** A query or retrieve key: an attribute and its value (empty: return it). */
typedef struct {
    uint16_t group;
    uint16_t element;
    const char *value;
} cnet_key;

/** C-ECHO on the Verification SOP class. */
int cnet_echo(const cnet_node *node, cnet_status *status);

/** Called once per requested key of each match (value "" when the peer left it out). */
typedef void (*cnet_match_visitor)(void *context, size_t match, uint16_t group, uint16_t element, const char *value);

/** C-FIND in the Study Root model at `level` ("STUDY", "SERIES" or "IMAGE"). */
int cnet_find(const cnet_node *node, const char *level, const cnet_key *keys, size_t key_count,
              cnet_match_visitor visitor, void *context, cnet_status *status);

/** Called after each instance received has been written (`path`, complete). Return non-zero to
 *  refuse further instances (the retrieve then fails). */
typedef int (*cnet_received)(void *context, const char *path, const char *sop_instance_uid);

typedef struct {
    unsigned completed, failed, warning;  /* from the peer's final C-GET response */
    unsigned received;                    /* instances written to the directory */
} cnet_retrieve_counts;

/** C-GET in the Study Root model at `level`: every instance the peer sends is written to
 *  `directory` as `<SOP Instance UID>.dcm` (under a temporary name, renamed when complete), in
 *  the transfer syntax it was sent in. `sop_classes` lists the storage SOP classes to accept. */
int cnet_get(const cnet_node *node, const char *level, const cnet_key *keys, size_t key_count,
             const char *const *sop_classes, size_t sop_class_count, const char *directory,
             cnet_received received, void *context, cnet_retrieve_counts *counts, cnet_status *status);

/** C-MOVE in the Study Root model at `level`, with octarc (its calling AE title) as the destination:
 *  listens on `listen_port` while the peer sends the instances, and writes them as cnet_get does.
 *  The peer must know the calling AE title with this host and port. */
int cnet_move(const cnet_node *node, const char *level, const cnet_key *keys, size_t key_count,
              const char *const *sop_classes, size_t sop_class_count, uint16_t listen_port, const char *directory,
              cnet_received received, void *context, cnet_retrieve_counts *counts, cnet_status *status);

/** Called once per file given to cnet_store, in order: the peer's status (0 success, 0xB000..0xBFFF
 *  warning, else failure; 0xFFFF when the file could not be sent) and a message for people. */
typedef void (*cnet_stored)(void *context, size_t index, uint16_t dimse_status, const char *message);

/** C-STORE of each file on one association (its SOP class with its own transfer syntax, explicit and
 *  implicit VR little endian proposed; converted when needed). Fails as a whole only when the
 *  association cannot be opened or breaks; a refused instance is reported through `stored`. */
int cnet_store(const cnet_node *node, const char *const *paths, size_t count, cnet_stored stored, void *context,
               cnet_status *status);

#ifdef __cplusplus
}
#endif
