#!/usr/bin/env python3
"""Makes an awkward variant of a Samples/ instance for a regression test (issue 13).

    derive_sample.py SRC DST [--frames 0,1] [--blank 0] [--size ROWSxCOLS] [--instance N]
                     [--series-uid UID] [--no-per-frame-groups]

SRC must be natively encoded (the Spectralis sample, Explicit VR Little Endian). Frames are 0-based
indices into SRC. New SOP Instance UIDs are derived from SRC's and the options, so the same command
always writes the same file.
"""
import argparse
import hashlib
import uuid

import numpy as np
import pydicom


def derived_uid(*parts):
    digest = hashlib.sha256("|".join(parts).encode()).digest()[:16]
    return "2.25.%d" % uuid.UUID(bytes=digest).int


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("source")
    parser.add_argument("destination")
    parser.add_argument("--frames", help="0-based frames of SRC to keep, comma-separated")
    parser.add_argument("--blank", type=int, action="append", default=[],
                        help="0-based frame (of the result) to fill with Pixel Padding Value")
    parser.add_argument("--size", help="crop every frame to ROWSxCOLS (from the centre)")
    parser.add_argument("--instance", type=int, help="Instance Number; also makes a new SOP Instance UID")
    parser.add_argument("--series-uid", help="Series Instance UID of the result")
    parser.add_argument("--no-per-frame-groups", action="store_true",
                        help="remove the Per-frame Functional Groups Sequence")
    args = parser.parse_args()

    ds = pydicom.dcmread(args.source)
    pixels = ds.pixel_array
    dtype = pixels.dtype
    if pixels.ndim == 2:
        pixels = pixels[np.newaxis]
    per_frame = list(ds.get("PerFrameFunctionalGroupsSequence", []))
    if args.frames:
        keep = [int(f) for f in args.frames.split(",")]
        pixels = pixels[keep]
        per_frame = [per_frame[i] for i in keep] if per_frame else []
    if args.size:
        rows, cols = (int(v) for v in args.size.lower().split("x"))
        top, left = (pixels.shape[1] - rows) // 2, (pixels.shape[2] - cols) // 2
        pixels = pixels[:, top:top + rows, left:left + cols]
        ds.Rows, ds.Columns = rows, cols
    pixels = np.ascontiguousarray(pixels)
    for frame in args.blank:
        pixels[frame] = int(ds.PixelPaddingValue)
    ds.NumberOfFrames = pixels.shape[0]
    if args.no_per_frame_groups:
        if "PerFrameFunctionalGroupsSequence" in ds:
            del ds.PerFrameFunctionalGroupsSequence
    elif per_frame:
        ds.PerFrameFunctionalGroupsSequence = pydicom.Sequence(per_frame)
    ds.PixelData = pixels.astype(dtype).tobytes()
    if args.series_uid:
        ds.SeriesInstanceUID = args.series_uid
    if args.instance is not None:
        ds.InstanceNumber = args.instance
    options = "|".join(str(v) for v in (args.frames, args.blank, args.size, args.instance, args.series_uid,
                                        args.no_per_frame_groups))
    ds.SOPInstanceUID = derived_uid(ds.SOPInstanceUID, options)
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ds.save_as(args.destination, enforce_file_format=True)


if __name__ == "__main__":
    main()
