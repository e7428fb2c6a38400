import Testing

@testable import Archive

/// verify's layer movement (`BoundaryDistance`): the largest distance between two boundaries traced
/// as connected curves.
@Suite struct BoundaryDistanceTests {
    let columns = Array(0..<80)

    @Test func identicalBoundariesAreZeroApart() {
        let boundary = columns.map { 100 + $0 / 4 }
        #expect(BoundaryDistance.largest(boundary, boundary, columns: columns) == 0)
    }

    @Test func aBoundaryMovedDownIsThatFarAway() {
        let boundary = columns.map { 100 + $0 / 4 }
        #expect(BoundaryDistance.largest(boundary, boundary.map { $0 + 3 }, columns: columns) == 3)
    }

    /// A wall 100 rows high, one column later: every column's row is the same but one, which differs
    /// by 100; the curves are one pixel apart.
    @Test func aWallMovedOneColumnIsOnePixelAway() {
        let wall = columns.map { $0 < 20 ? 100 : 200 }
        let moved = columns.map { $0 < 21 ? 100 : 200 }
        #expect(zip(wall, moved).map { abs($0 - $1) }.max() == 100)
        #expect(BoundaryDistance.largest(wall, moved, columns: columns) == 1)
    }

    /// A bump of 10 rows over 11 columns is 10 away at its middle, measured from either side.
    @Test func aBumpIsItsHeightAway() {
        let flat = [Int](repeating: 100, count: columns.count)
        let bump = columns.map { (40...50).contains($0) ? 90 : 100 }
        #expect(BoundaryDistance.largest(flat, bump, columns: columns) == 10)
        #expect(BoundaryDistance.largest(bump, flat, columns: columns) == 10)
    }

    /// Columns left out (all padding) are not traced across, and none at all give no distance.
    @Test func onlyTheListedColumnsCount() {
        let a = columns.map { $0 < 40 ? 100 : 300 }
        let b = columns.map { $0 < 40 ? 100 : 304 }
        #expect(BoundaryDistance.largest(a, b, columns: Array(0..<40)) == 0)
        #expect(BoundaryDistance.largest(a, b, columns: Array(0..<40) + Array(41..<80)) == 4)
        #expect(BoundaryDistance.largest(a, b, columns: []) == nil)
    }
}
