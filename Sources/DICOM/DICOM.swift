// DICOM: see its issue.
