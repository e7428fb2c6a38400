import DICOM
import Foundation
import TestSupport
import Testing

/// Pixel Spacing for thickness in µm: OPT puts it in the Shared Functional Groups' Pixel Measures.
@Suite struct PixelSpacingTests {
    @Test func theSamplesCarryTheirSpacingInTheSharedFunctionalGroups() throws {
        // The values Scripts/make_samples.py writes (Spectralis 3.87 µm, Bioptigen 4.5 µm axial).
        let duke = try #require(try OCTInstance.open(TestFiles.duke).headerDataset().pixelSpacing())
        #expect(abs(duke.rows - 0.00387) < 1e-9 && abs(duke.columns - 0.0114) < 1e-9)
        let bioptigen = try #require(try OCTInstance.open(TestFiles.bioptigen).headerDataset().pixelSpacing())
        #expect(abs(bioptigen.rows - 0.0045) < 1e-9 && abs(bioptigen.columns - 0.0067) < 1e-9)
    }

    @Test func spacingAgreesWithTheAttributesOfEveryFixture() throws {
        // Whatever a fixture holds, the answer agrees with a direct look at its attributes.
        for url in TestFiles.samples + [Fixtures.testData.appendingPathComponent("dicom/tiny-opt.dcm")] {
            let header = try OCTInstance.open(url).headerDataset()
            let present = try header.attributes().contains { $0.tag == DICOMTag(0x0028, 0x0030) }
            #expect((try header.pixelSpacing() != nil) == present, "\(url.lastPathComponent)")
        }
    }
}
