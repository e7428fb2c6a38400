#!/usr/bin/env python3
"""Build octarc's sample study (Samples/) and its small DICOM test fixtures (Tests/Data/dicom/).

Samples/ wraps real B-scans from the shared research data as multi-frame Ophthalmic Tomography
Image Storage instances (the OPT IOD with all its mandatory modules and functional groups):

  duke-subject07-8bit.dcm       Heidelberg Spectralis, Duke DME dev subject07, 16 of its 61
                                B-scans (bscan01, 05, ..., 61), 496x768, 8 bits, Explicit VR Little
                                Endian, uncompressed, Pixel Padding Value 255, a private block.
  bioptigen-subj13-12bit.dcm    Bioptigen, dev subj13, its 5 neighbouring noisy B-scans, 450x900,
                                Bits Allocated 16 / Stored 12, each 8-bit value v stored as
                                (v << 4) | (v >> 4) (so v == stored >> 4), JPEG-LS lossless.

Tests/Data/dicom/ holds tiny synthetic files (no research data) for the reader's error paths and
grouping rules: a valid 3-frame OPT instance, a series of three single-frame OPT instances, a CT
instance, an OPT instance whose Pixel Data is shorter than its frames, and a zero-frame OPT instance.

Everything is deterministic: UIDs are UUIDv5-derived (2.25.<uuid>) from fixed names, dates are
fixed, so running the script again gives byte-identical files.

Usage: python3 Scripts/make_samples.py [DATA_DIR] [--samples DIR] [--fixtures DIR]
       python3 Scripts/make_samples.py [DATA_DIR] --dev-archive DIR   (the whole dev split, for evaluation)
       DATA_DIR defaults to ../shared/data relative to the repository root.
Needs: pydicom, pypng, numpy (Scripts/requirements-samples.txt) and DCMTK's dcmcjpls.
"""

import argparse
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import numpy as np
import png
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence

REPO = Path(__file__).resolve().parent.parent
NAMESPACE = uuid.UUID("6f1a2b8e-3c4d-5e6f-8a9b-0c1d2e3f4a5b")  # fixed: octarc sample namespace

OPT_SOP_CLASS = "1.2.840.10008.5.1.4.1.1.77.1.5.4"
CT_SOP_CLASS = "1.2.840.10008.5.1.4.1.1.2"
EXPLICIT_VR_LE = "1.2.840.10008.1.2.1"
JPEG_LS_LOSSLESS = "1.2.840.10008.1.2.4.80"
PRIVATE_CREATOR = "OCTARC SAMPLES"
FIXED_DATE = "20250101"
FIXED_TIME = "120000"


def uid(name: str) -> str:
    """A deterministic UUID-derived UID (PS3.5 B.2) for `name`."""
    return f"2.25.{uuid.uuid5(NAMESPACE, name).int}"


IMPLEMENTATION_CLASS_UID = uid("implementation")


def read_png(path: Path) -> np.ndarray:
    width, height, rows, info = png.Reader(filename=str(path)).asDirect()
    if info.get("planes") != 1 or info.get("bitdepth") != 8:
        raise SystemExit(f"{path}: expected an 8-bit grayscale PNG")
    return np.array(list(rows), dtype=np.uint8).reshape(height, width)


def code(value: str, scheme: str, meaning: str) -> Dataset:
    item = Dataset()
    item.CodeValue = value
    item.CodingSchemeDesignator = scheme
    item.CodeMeaning = meaning
    return item


def opt_dataset(*, key: str, frames: list, bits_stored: int, patient_id: str, patient_name: str,
                series_description: str, manufacturer: str, model: str, pixel_spacing: list,
                slice_spacing: float, frame_comments: list, padding_value=None,
                laterality: str = "R", a_scans_per_ms: float = 40.0) -> Dataset:
    """A multi-frame Ophthalmic Tomography instance (PS3.3 A.52) holding `frames`."""
    rows, columns = frames[0].shape
    bits_allocated = 8 if bits_stored <= 8 else 16
    study_uid, series_uid, instance_uid = uid(key + "/study"), uid(key + "/series"), uid(key + "/instance")
    frame_of_reference = uid(key + "/frame-of-reference")
    dimension_organization = uid(key + "/dimension-organization")

    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = OPT_SOP_CLASS
    meta.MediaStorageSOPInstanceUID = instance_uid
    meta.TransferSyntaxUID = EXPLICIT_VR_LE
    meta.ImplementationClassUID = IMPLEMENTATION_CLASS_UID
    meta.ImplementationVersionName = "OCTARC_SAMPLES1"

    ds = Dataset()
    ds.file_meta = meta
    ds.SpecificCharacterSet = "ISO_IR 100"
    # SOP Common
    ds.SOPClassUID = OPT_SOP_CLASS
    ds.SOPInstanceUID = instance_uid
    ds.InstanceCreationDate = FIXED_DATE
    ds.InstanceCreationTime = FIXED_TIME
    # OPT Image: Image Type, Acquisition DateTime, pixel description, lossy flag.
    ds.ImageType = ["ORIGINAL", "PRIMARY"]
    ds.AcquisitionDateTime = FIXED_DATE + FIXED_TIME
    ds.AcquisitionDuration = 0.0
    ds.AcquisitionNumber = 1
    # Patient
    ds.PatientName = patient_name
    ds.PatientID = patient_id
    ds.PatientBirthDate = ""
    ds.PatientSex = ""
    # General Study
    ds.StudyInstanceUID = study_uid
    ds.StudyDate = FIXED_DATE
    ds.StudyTime = FIXED_TIME
    ds.ReferringPhysicianName = ""
    ds.StudyID = "1"
    ds.AccessionNumber = ""
    ds.StudyDescription = "octarc sample study"
    # General Series + Ophthalmic Tomography Series
    ds.Modality = "OPT"
    ds.SeriesInstanceUID = series_uid
    ds.SeriesNumber = 1
    ds.SeriesDate = FIXED_DATE
    ds.SeriesTime = FIXED_TIME
    ds.SeriesDescription = series_description
    # Frame of Reference + Synchronization
    ds.FrameOfReferenceUID = frame_of_reference
    ds.PositionReferenceIndicator = ""
    ds.SynchronizationFrameOfReferenceUID = uid(key + "/synchronization")
    ds.SynchronizationTrigger = "NO TRIGGER"
    ds.AcquisitionTimeSynchronized = "N"
    # General / Enhanced General Equipment
    ds.Manufacturer = manufacturer
    ds.ManufacturerModelName = model
    ds.DeviceSerialNumber = "UNKNOWN"
    ds.SoftwareVersions = "octarc make_samples.py 1"
    ds.InstitutionName = ""
    if padding_value is not None:
        ds.PixelPaddingValue = padding_value
    # Image Pixel
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.Rows = rows
    ds.Columns = columns
    ds.BitsAllocated = bits_allocated
    ds.BitsStored = bits_stored
    ds.HighBit = bits_stored - 1
    ds.PixelRepresentation = 0
    ds.PresentationLUTShape = "IDENTITY"
    ds.LossyImageCompression = "00"
    ds.BurnedInAnnotation = "NO"
    # Multi-frame Functional Groups
    ds.InstanceNumber = 1
    ds.ContentDate = FIXED_DATE
    ds.ContentTime = FIXED_TIME
    ds.NumberOfFrames = len(frames)
    shared = Dataset()
    measures = Dataset()
    measures.PixelSpacing = pixel_spacing
    measures.SliceThickness = slice_spacing
    shared.PixelMeasuresSequence = Sequence([measures])
    orientation = Dataset()
    orientation.ImageOrientationPatient = [1, 0, 0, 0, 0, -1]
    shared.PlaneOrientationSequence = Sequence([orientation])
    anatomy = Dataset()
    anatomy.AnatomicRegionSequence = Sequence([code("81745001", "SCT", "Eye")])
    anatomy.FrameLaterality = laterality
    shared.FrameAnatomySequence = Sequence([anatomy])
    ds.SharedFunctionalGroupsSequence = Sequence([shared])
    per_frame = []
    for index in range(len(frames)):
        item = Dataset()
        content = Dataset()
        content.FrameAcquisitionDateTime = FIXED_DATE + FIXED_TIME
        content.FrameReferenceDateTime = FIXED_DATE + FIXED_TIME
        content.FrameAcquisitionDuration = round(columns / a_scans_per_ms, 3)
        content.StackID = "1"
        content.InStackPositionNumber = index + 1
        content.DimensionIndexValues = [1, index + 1]
        content.FrameComments = frame_comments[index]
        item.FrameContentSequence = Sequence([content])
        position = Dataset()
        position.ImagePositionPatient = [0.0, round(index * slice_spacing, 6), 0.0]
        item.PlanePositionSequence = Sequence([position])
        per_frame.append(item)
    ds.PerFrameFunctionalGroupsSequence = Sequence(per_frame)
    # Multi-frame Dimension
    organization = Dataset()
    organization.DimensionOrganizationUID = dimension_organization
    ds.DimensionOrganizationSequence = Sequence([organization])
    indices = []
    for pointer, description in ((0x00209056, "Stack ID"), (0x00209057, "In-Stack Position Number")):
        index_item = Dataset()
        index_item.DimensionOrganizationUID = dimension_organization
        index_item.DimensionIndexPointer = pointer
        index_item.FunctionalGroupPointer = 0x00209111
        index_item.DimensionDescriptionLabel = description
        indices.append(index_item)
    ds.DimensionIndexSequence = Sequence(indices)
    ds.DimensionOrganizationType = "3D"
    # Acquisition Context
    ds.AcquisitionContextSequence = Sequence([])
    # Ophthalmic Tomography Acquisition Parameters (type 2: present, values unknown)
    ds.AxialLengthOfTheEye = None
    ds.HorizontalFieldOfView = None
    ds.RefractiveStateSequence = Sequence([])
    ds.EmmetropicMagnification = None
    ds.IntraOcularPressure = None
    ds.PupilDilated = ""
    # Ophthalmic Tomography Parameters
    ds.AcquisitionDeviceTypeCodeSequence = Sequence([code("392012008", "SCT", "Optical Coherence Tomography Scanner")])
    ds.LightPathFilterTypeStackCodeSequence = Sequence([])
    ds.DetectorType = "CCD"
    ds.IlluminationWaveLength = 870.0 if "Heidelberg" in manufacturer else 840.0
    # Ocular Region Imaged
    ds.ImageLaterality = laterality
    ds.AnatomicRegionSequence = Sequence([code("81745001", "SCT", "Eye")])
    # Pixel Data
    stack = np.stack(frames)
    if bits_allocated == 8:
        ds.PixelData = stack.astype(np.uint8).tobytes()
        ds["PixelData"].VR = "OB"
    else:
        ds.PixelData = stack.astype("<u2").tobytes()
        ds["PixelData"].VR = "OW"
    return ds


def add_private_block(ds: Dataset, description: str, source_numbers: list) -> None:
    """A private block the tests use to prove private attributes survive a round trip."""
    block = ds.private_block(0x0009, PRIVATE_CREATOR, create=True)
    block.add_new(0x01, "LO", description)
    block.add_new(0x02, "US", source_numbers)
    block.add_new(0x03, "OB", bytes(range(1, 9)))
    block.add_new(0x04, "FD", [0.125, -2.5])


def save(ds: Dataset, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    ds.save_as(temporary, enforce_file_format=True)
    temporary.replace(path)


def compress_jpeg_ls(source: Path, target: Path) -> None:
    """Lossless JPEG-LS, one fragment per frame, offset table, same SOP Instance UID."""
    tool = shutil.which("dcmcjpls")
    if tool is None:
        raise SystemExit("dcmcjpls (Debian package dcmtk) is needed to build the 12-bit sample")
    temporary = target.with_name(target.name + ".tmp")
    subprocess.run([tool, "--encode-lossless", "--uid-never", str(source), str(temporary)], check=True)
    temporary.replace(target)


def duke_series(data: Path, numbers=range(1, 62, 4), key="duke/subject07") -> Dataset:
    """Duke DME dev subject07: by default 16 B-scans spread over the 61 of the volume."""
    numbers = list(numbers)
    names = [f"bscan{n:02d}.png" for n in numbers]
    frames = [read_png(data / "dev/duke/subject07" / name) for name in names]
    ds = opt_dataset(
        key=key, frames=frames, bits_stored=8, patient_id="DUKE-DME-07",
        patient_name="DUKE^SUBJECT07", series_description=f"Duke DME subject07, {len(numbers)} of 61 B-scans",
        manufacturer="Heidelberg Engineering", model="Spectralis",
        pixel_spacing=[0.00387, 0.0114], slice_spacing=0.48,
        frame_comments=[f"dev/duke/subject07/{name}" for name in names], padding_value=255)
    add_private_block(ds, "Duke DME dev subject07, B-scan numbers in (0009,1002)", numbers)
    return ds


def bioptigen_series(data: Path, subject: str) -> Dataset:
    names = ["noisy_nb1.png", "noisy_nb2.png", "noisy_test.png", "noisy_nb3.png", "noisy_nb4.png"]
    frames = []
    for name in names:
        value = read_png(data / "dev/bioptigen" / subject / name).astype(np.uint16)
        frames.append((value << 4) | (value >> 4))  # 8 -> 12 bits, exact inverse: stored >> 4
    return opt_dataset(
        key=f"bioptigen/{subject}", frames=frames, bits_stored=12,
        patient_id=f"BIOPTIGEN-{subject.upper()}", patient_name=f"BIOPTIGEN^{subject.upper()}",
        series_description=f"Bioptigen {subject}, 5 neighbouring B-scans, 12 bit",
        manufacturer="Bioptigen", model="SD-OCT", pixel_spacing=[0.0045, 0.0067], slice_spacing=0.05,
        a_scans_per_ms=20.0,
        frame_comments=[f"dev/bioptigen/{subject}/{name}" for name in names])


def spectralis_series(data: Path) -> Dataset:
    """The three high-resolution Spectralis crops of the dev set, as one 8-bit series."""
    names = sorted(p.name for p in (data / "dev/spectralis").glob("*.png"))
    return opt_dataset(
        key="dev/spectralis", frames=[read_png(data / "dev/spectralis" / name) for name in names], bits_stored=8,
        patient_id="SPECTRALIS-CROPS", patient_name="SPECTRALIS^CROPS",
        series_description="Spectralis high-resolution B-scan crops", manufacturer="Heidelberg Engineering",
        model="Spectralis", pixel_spacing=[0.0039, 0.0057], slice_spacing=0.1,
        frame_comments=[f"dev/spectralis/{name}" for name in names])


def make_dev_archive(data: Path, target: Path) -> None:
    """The whole dev split as a DICOM archive (for evaluation and benchmarks; never committed): the
    Duke subject07 volume (61 frames, 8 bit), Bioptigen subj13 and subj14 (12 bit, JPEG-LS) and the
    Spectralis crops (8 bit)."""
    save(duke_series(data, range(1, 62), key="dev/duke/subject07"), target / "duke-subject07.dcm")
    with tempfile.TemporaryDirectory() as scratch:
        for subject in ("subj13", "subj14"):
            uncompressed = Path(scratch) / f"{subject}.dcm"
            save(bioptigen_series(data, subject), uncompressed)
            compress_jpeg_ls(uncompressed, target / f"bioptigen-{subject}.dcm")
    save(spectralis_series(data), target / "spectralis-crops.dcm")


def synthetic_frames(count: int, rows: int, columns: int, seed: int) -> list:
    y, x = np.mgrid[0:rows, 0:columns]
    return [((x * 7 + y * 3 + seed * 31 + k * 13) % 251).astype(np.uint8) for k in range(count)]


def make_fixtures(target: Path) -> None:
    """Tiny synthetic files for the reader's rules and error paths."""
    common = dict(bits_stored=8, patient_name="FIXTURE^TINY", manufacturer="octarc", model="fixture",
                  pixel_spacing=[0.01, 0.01], slice_spacing=0.1)
    tiny = opt_dataset(key="fixture/tiny", frames=synthetic_frames(3, 24, 32, 1), patient_id="FIXTURE-1",
                       series_description="tiny OPT", frame_comments=["a", "b", "c"], **common)
    save(tiny, target / "tiny-opt.dcm")

    # A series of three single-frame instances, named against their Instance Number order.
    for number, name in ((1, "c.dcm"), (2, "a.dcm"), (3, "b.dcm")):
        single = opt_dataset(key="fixture/single", frames=synthetic_frames(1, 16, 20, number),
                             patient_id="FIXTURE-2", series_description="single-frame series",
                             frame_comments=[f"instance {number}"], **common)
        single.SOPInstanceUID = uid(f"fixture/single/instance{number}")
        single.file_meta.MediaStorageSOPInstanceUID = single.SOPInstanceUID
        single.InstanceNumber = number
        save(single, target / "single-frame-series" / name)

    short = opt_dataset(key="fixture/short", frames=synthetic_frames(3, 24, 32, 2), patient_id="FIXTURE-3",
                        series_description="short Pixel Data", frame_comments=["a", "b", "c"], **common)
    short.NumberOfFrames = 4  # Pixel Data holds only 3 frames
    short.PerFrameFunctionalGroupsSequence.append(short.PerFrameFunctionalGroupsSequence[-1])
    save(short, target / "short-pixel-data.dcm")

    zero = opt_dataset(key="fixture/zero", frames=synthetic_frames(1, 24, 32, 3), patient_id="FIXTURE-4",
                       series_description="zero frames", frame_comments=["a"], **common)
    zero.NumberOfFrames = 0
    zero.PerFrameFunctionalGroupsSequence = Sequence([])
    zero.PixelData = b""
    save(zero, target / "zero-frames.dcm")

    ct = Dataset()
    ct.file_meta = FileMetaDataset()
    ct.file_meta.MediaStorageSOPClassUID = CT_SOP_CLASS
    ct.file_meta.MediaStorageSOPInstanceUID = uid("fixture/ct/instance")
    ct.file_meta.TransferSyntaxUID = EXPLICIT_VR_LE
    ct.file_meta.ImplementationClassUID = IMPLEMENTATION_CLASS_UID
    ct.file_meta.ImplementationVersionName = "OCTARC_SAMPLES1"
    ct.SOPClassUID = CT_SOP_CLASS
    ct.SOPInstanceUID = ct.file_meta.MediaStorageSOPInstanceUID
    ct.PatientID = "FIXTURE-5"
    ct.StudyInstanceUID = uid("fixture/ct/study")
    ct.SeriesInstanceUID = uid("fixture/ct/series")
    ct.Modality = "CT"
    ct.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
    ct.SamplesPerPixel = 1
    ct.PhotometricInterpretation = "MONOCHROME2"
    ct.Rows, ct.Columns = 8, 8
    ct.BitsAllocated, ct.BitsStored, ct.HighBit, ct.PixelRepresentation = 16, 12, 11, 0
    ct.RescaleIntercept, ct.RescaleSlope = -1024, 1
    ct.PixelData = (np.arange(64, dtype="<u2") * 16).tobytes()
    ct["PixelData"].VR = "OW"
    save(ct, target / "ct-image.dcm")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", nargs="?", default=str(REPO.parent / "shared/data"),
                        help="the shared research data (default: ../shared/data)")
    parser.add_argument("--samples", default=str(REPO / "Samples"), help="where to write the samples")
    parser.add_argument("--fixtures", default=str(REPO / "Tests/Data/dicom"),
                        help="where to write the small test fixtures")
    parser.add_argument("--dev-archive", help="instead, write the whole dev split as a DICOM archive here")
    arguments = parser.parse_args()
    data, samples = Path(arguments.data), Path(arguments.samples)
    if not (data / "dev").is_dir():
        raise SystemExit(f"{data}: no dev/ folder; pass the shared data directory")
    if arguments.dev_archive:
        make_dev_archive(data, Path(arguments.dev_archive))
        return

    save(duke_series(data), samples / "duke-subject07-8bit.dcm")
    with tempfile.TemporaryDirectory() as scratch:
        uncompressed = Path(scratch) / "bioptigen.dcm"
        save(bioptigen_series(data, "subj13"), uncompressed)
        compress_jpeg_ls(uncompressed, samples / "bioptigen-subj13-12bit.dcm")
    make_fixtures(Path(arguments.fixtures))
    for path in sorted(samples.glob("*.dcm")):
        print(f"{path.relative_to(REPO) if path.is_relative_to(REPO) else path}: {path.stat().st_size} bytes")


if __name__ == "__main__":
    sys.exit(main())
