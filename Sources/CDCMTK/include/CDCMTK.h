#pragma once
/*
 * A small C API over DCMTK 3.6 (dcmdata with the JPEG, JPEG-LS and RLE decoders registered).
 *
 * Every function that can fail fills a cdcm_status (code + message) and never aborts or exits.
 * DCMTK's own logging is switched off. Distinct cdcm_object values may be used from different
 * threads at the same time; one cdcm_object must not be used by two threads at once.
 */
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** What went wrong; CDCM_OK (0) is success. */
typedef enum {
    CDCM_OK = 0,
    CDCM_IO = 1,          /* the file cannot be opened or read */
    CDCM_NOT_DICOM = 2,   /* no DICM prefix and not a bare data set */
    CDCM_TRUNCATED = 3,   /* the data ends inside an attribute */
    CDCM_CORRUPT = 4,     /* DCMTK cannot parse the data */
    CDCM_MISSING = 5,     /* a required attribute is absent */
    CDCM_INVALID = 6,     /* an argument or attribute value is out of range */
    CDCM_DECODE = 7,      /* a frame cannot be decoded */
    CDCM_WRITE = 8        /* the output cannot be written */
} cdcm_code;

/** The outcome of a call: a code and a message for people. */
typedef struct {
    int code;
    char message[512];
} cdcm_status;

/** A parsed DICOM file or header data set. */
typedef struct cdcm_object cdcm_object;

/** Parses the file at `path`. Values longer than a few KiB (Pixel Data) stay in the file and are
 *  read on demand, so the file must stay in place while the object lives. NULL on failure. */
cdcm_object *cdcm_open_file(const char *path, cdcm_status *status);

/** Parses a DICOM stream (Part 10 file format or bare Explicit VR Little Endian data set) held in
 *  memory; the bytes are copied. NULL on failure. */
cdcm_object *cdcm_open_bytes(const uint8_t *bytes, size_t count, cdcm_status *status);

void cdcm_close(cdcm_object *object);

/** The value of a top-level attribute (group 0002 from the file meta information) as text, all
 *  values joined by backslashes, trailing padding removed. Writes at most `capacity` - 1 bytes and
 *  a terminating NUL. Returns the full length, or -1 if the attribute is absent. */
long cdcm_string(const cdcm_object *object, uint16_t group, uint16_t element, char *buffer, size_t capacity);

/** The first value of a top-level integer attribute (US, SS, UL, SL, IS). Returns 1 and sets
 *  `value` if present with a value, 0 otherwise. */
int cdcm_integer(const cdcm_object *object, uint16_t group, uint16_t element, long *value);

/** How the Pixel Data is stored. */
typedef struct {
    int present;          /* 1 if (7FE0,0010) is present */
    int encapsulated;     /* 1 for a compressed transfer syntax */
    uint64_t length;      /* value length of native Pixel Data, in bytes */
    long fragments;       /* number of fragments of encapsulated Pixel Data */
} cdcm_pixel_data_info;

void cdcm_pixel_data(const cdcm_object *object, cdcm_pixel_data_info *info);

/** Bytes of one decoded frame (rows x columns x samples x bits allocated / 8); 0 if unknown. */
uint64_t cdcm_frame_size(const cdcm_object *object);

/** Decodes frame `frame` (0-based) into `buffer`, which must hold cdcm_frame_size() bytes rounded
 *  up to an even number. Samples are in the machine's byte order. Returns CDCM_OK or an error. */
int cdcm_read_frame(cdcm_object *object, uint32_t frame, void *buffer, size_t capacity, cdcm_status *status);

/** Removes Pixel Data from the object and encodes what is left (file meta information and every
 *  other attribute, private ones included) as a Part 10 stream in Explicit VR Little Endian.
 *  On success `*bytes` must be released with cdcm_free. */
int cdcm_header_bytes(cdcm_object *object, uint8_t **bytes, size_t *count, cdcm_status *status);

void cdcm_free(void *pointer);

/** Called once per attribute, depth first: `path` names it from the top level, e.g.
 *  "(5200,9230)[2].(0008,9124)[0].(0008,2112)"; sequences are reported (value: item count as
 *  text) before their items' attributes. Values are raw little-endian bytes. */
typedef void (*cdcm_attribute_visitor)(void *context, const char *path, const char *vr,
                                       const uint8_t *value, size_t length);

/** Visits every attribute (with `include_meta`, the file meta information first). */
int cdcm_visit_attributes(cdcm_object *object, int include_meta, cdcm_attribute_visitor visitor,
                          void *context, cdcm_status *status);

/** The Referenced SOP Instance UID of the first Source Image Sequence item whose Purpose of
 *  Reference is (121320, DCM, "Uncompressed predecessor") in the Derivation Image functional
 *  group (per-frame first frame, or shared). Same return convention as cdcm_string. */
long cdcm_derivation_source(const cdcm_object *object, char *buffer, size_t capacity);

/** Writes `bytes` bytes of native Pixel Data (samples in the machine's byte order, frame after frame)
 *  into `target`, which DCMTK owns: the caller's frames go straight into the data set, with no joined
 *  copy of them in between. */
typedef void (*cdcm_fill_pixels)(void *context, void *target, size_t bytes);

/** What a derived (lossy restored) instance changes relative to its header data set. */
typedef struct {
    const char *sop_instance_uid;        /* the new SOP Instance UID */
    const char *derivation_description;  /* Derivation Description (0008,2111) of each frame's group */
    const char *compression_ratio;       /* DS value appended to (0028,2112) */
    const char *compression_method;      /* CS value appended to (0028,2114) */
    cdcm_fill_pixels fill_pixels;        /* writes the native Pixel Data (pixel_bytes bytes) */
    void *fill_context;                  /* passed to fill_pixels */
    size_t pixel_bytes;                  /* without the pad byte an odd 8-bit length gets */
    int bits_allocated;                  /* 8 or 16 */
    const uint32_t *source_frames;       /* 1-based source frame numbers of the frames given, in order; */
    size_t source_frame_count;           /* NULL / 0: all frames of the source, in order */
} cdcm_derivation;

/** Writes a multi-frame instance to `path` from a header data set (cdcm_header_bytes) and new
 *  pixels, applying the derived-image rules: new SOP Instance UID, Image Type value 1 DERIVED,
 *  Lossy Image Compression 01, ratio and method appended, and a per-frame Derivation Image
 *  functional group (Derivation Description, code 113040) that references the source instance and
 *  frame (purpose 121320). Every other attribute is kept. Explicit VR Little Endian. With
 *  `source_frames`, the instance holds only those frames of the source: Number of Frames and the
 *  per-frame functional groups follow, each frame referencing its source frame. */
int cdcm_write_derived(const uint8_t *header, size_t header_count, const cdcm_derivation *derivation,
                       const char *path, cdcm_status *status);

/** Registers the codecs and loads DCMTK's data dictionary now, so that a later first use does not
 *  wait for it (safe from any thread; DCMTK locks the dictionary while it loads). */
void cdcm_prepare(void);

/** DCMTK's name for a well-known UID (e.g. "CTImageStorage"), or NULL. */
const char *cdcm_uid_name(const char *uid);

#ifdef __cplusplus
}
#endif
