import Imaging
import Testing

/// Issue 13 rule 10: sizes are written HxW (rows x columns) everywhere, as inspect writes them.
@Suite struct SizeTextTests {
    @Test func metricsNameImageSizesRowsFirst() {
        let wide = Image<Float>(width: 20, height: 5, repeating: 0.5)
        do {
            _ = try Metrics.compare(wide, wide, dataRange: 1)
            Issue.record("a 5x20 image cannot have 5 MS-SSIM scales")
        } catch {
            #expect("\(error)".contains("a 5x20 image"), "\(error)")
        }
        let other = Image<Float>(width: 5, height: 20, repeating: 0.5)
        do {
            _ = try Metrics.compare(wide, other, dataRange: 1)
            Issue.record("images of different sizes were compared")
        } catch {
            #expect("\(error)".contains("5x20 vs 20x5"), "\(error)")
        }
    }
}
