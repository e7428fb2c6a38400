import Neural
import Testing

@Suite struct QuantizerTests {
    static let centers: [Float] = [-1.5, -0.5, 0.25, 1]

    @Test func mapsToTheNearestCenterTiesLow() throws {
        let quantizer = try Quantizer(centers: Self.centers)
        let values: [Float] = [-9, -1.5, -1.0, -0.9999, -0.125, -0.12, 0.625, 0.62, 0.63, 5, .infinity, -.infinity]
        #expect(quantizer.symbols(for: values) == [0, 0, 0, 1, 1, 2, 2, 2, 3, 3, 3, 0])
        #expect(quantizer.symbols(for: [.nan]) == [0])
    }

    @Test func symbolsFollowTheTensorLayout() throws {
        let quantizer = try Quantizer(centers: Self.centers)
        var tensor = try Tensor(zeros: TensorShape(channels: 2, height: 1, width: 3))
        tensor[1, 0, 2] = 1
        tensor[0, 0, 1] = -2
        #expect(quantizer.symbols(for: tensor) == [2, 2, 0, 2, 2, 3])
        let back = try quantizer.dequantize(quantizer.symbols(for: tensor), shape: tensor.shape)
        #expect(back.data == [0.25, 0.25, -1.5, 0.25, 0.25, 1])
        #expect(back[1, 0, 2] == 1)
    }

    @Test func agreesWithALinearSearchOnManyValues() throws {
        let quantizer = try Quantizer(centers: Self.centers)
        var random = TestRandom(state: 7)
        // Random values, and the midpoints between centers with their float neighbours.
        let midpoints = zip(Self.centers, Self.centers.dropFirst()).map { ($0 + $1) / 2 }
        let values = random.values(10_000).map { $0 * 3 } + midpoints.flatMap { [$0.nextDown, $0, $0.nextUp] }
        let expected = values.map { value in
            Int32(Self.centers.indices.min { abs(value - Self.centers[$0]) < abs(value - Self.centers[$1]) } ?? 0)
        }
        #expect(quantizer.symbols(for: values) == expected)
    }

    /// The profiles' evenly spaced centers (-15 ... 15) and uneven ones, on values across their
    /// range and beyond, each midpoint and its float neighbours, and the centers themselves.
    @Test(arguments: [
        (-15...15).map { Float($0) }, [-2, -0.75, -0.1, 0, 0.3, 2.5, 7], (0..<9).map { Float($0) * 0.37 - 1.1 },
    ])
    func agreesWithALinearSearchOnProfileCenters(centers: [Float]) throws {
        let quantizer = try Quantizer(centers: centers)
        var random = TestRandom(state: 11)
        let span = (centers.last ?? 0) - (centers.first ?? 0)
        let midpoints = zip(centers, centers.dropFirst()).map { ($0 + $1) / 2 }
        let values =
            random.values(20_000).map { $0 * span * 0.7 } + random.values(1_000).map { $0 * 1e-3 }
            + midpoints.flatMap { [$0.nextDown, $0, $0.nextUp] } + centers.flatMap { [$0.nextDown, $0, $0.nextUp] }
            + [span * 4, -span * 4, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 0, -0.0]
        let expected = values.map { value in
            let x = min(max(value, centers[0]), centers[centers.count - 1])
            return Int32(centers.indices.min { abs(x - centers[$0]) < abs(x - centers[$1]) } ?? 0)
        }
        #expect(quantizer.symbols(for: values) == expected)
    }

    @Test func rejectsBadCentersAndSymbols() throws {
        #expect(throws: NeuralError.self) { try Quantizer(centers: []) }
        #expect(throws: NeuralError.self) { try Quantizer(centers: [0, 0]) }
        #expect(throws: NeuralError.self) { try Quantizer(centers: [1, 0]) }
        #expect(throws: NeuralError.self) { try Quantizer(centers: [0, .nan]) }
        let quantizer = try Quantizer(centers: Self.centers)
        let shape = TensorShape(channels: 1, height: 1, width: 2)
        #expect(throws: NeuralError.invalidQuantizer("symbol 4 at index 1 is not in 0..<4")) {
            try quantizer.dequantize([0, 4], shape: shape)
        }
        #expect(throws: NeuralError.invalidQuantizer("symbol -1 at index 0 is not in 0..<4")) {
            try quantizer.dequantize([-1, 0], shape: shape)
        }
        #expect(throws: NeuralError.shapeMismatch("3 symbols do not fill a 1x1x2 tensor")) {
            try quantizer.dequantize([0, 1, 2], shape: shape)
        }
    }
}
