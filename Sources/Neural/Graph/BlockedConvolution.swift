/// A (transposed) convolution rewritten as a stride-1 convolution between space-to-depth grids.
///
/// Along each axis the input is cut into blocks of `Bi` pixels and the output into blocks of `Bo`
/// (Bi = stride x B for a convolution, Bo = stride x B for a transposed one), and each block becomes
/// one grid cell whose channels are (phase, channel). Output cell M then depends on input cells
/// M + lo ... M + hi through weights that do not depend on M, so the layer is an ordinary convolution
/// on the grids, with Bo_y x Bo_x x Cout output channels, computed by oneDNN's fast kernels. This
/// replaces oneDNN's slow transposed convolutions (B = 1) and wastes fewer SIMD lanes on layers with
/// very few output channels (B > 1). Pixel shuffles between the image and grid layouts are reorders.
///
/// Computing all output phases at once makes every phase use the union of their windows, i.e. zero
/// taps (2.25x the work for a 4x4 kernel of stride 2); restricted to one output `phase`, the grid
/// convolution computes exactly the layer's taps for that phase, and a layer takes one per phase.
struct BlockedConvolution: Sendable {
    /// How one axis maps onto grids.
    struct Axis: Equatable, Sendable {
        var inputBlock: Int
        var outputBlock: Int
        /// Window of input cells, relative to the output cell.
        var low: Int
        var high: Int
        var inputCells: Int
        var outputCells: Int

        var window: Int { high - low + 1 }
        var paddingBegin: Int { -low }
        var paddingEnd: Int { outputCells - 1 + high - (inputCells - 1) }

        /// The layer's kernel tap linking output phase `a`, input phase `b` and window offset `d`, or nil.
        static func tap(
            _ a: Int, _ b: Int, _ d: Int, kernel: Int, stride: Int, padding: Int, transposed: Bool,
            inputBlock: Int
        ) -> Int? {
            let k = transposed ? a - stride * (inputBlock * d + b) + padding : inputBlock * d + b - stride * a + padding
            return (0..<kernel).contains(k) ? k : nil
        }

        /// The axis plan for `block` B, over all output phases or only `phase`; nil when the sizes do
        /// not divide into blocks or the window would need negative padding.
        init?(
            kernel: Int, stride: Int, padding: Int, transposed: Bool, block: Int, input: Int, output: Int,
            phase: Int? = nil
        ) {
            let inputBlock = transposed ? block : stride * block
            let outputBlock = transposed ? stride * block : block
            guard input % inputBlock == 0, output % outputBlock == 0 else { return nil }
            let reach = kernel + padding + stride * (inputBlock + outputBlock)
            let offsets = (-reach...reach).filter { d in
                (phase.map { [$0] } ?? Array(0..<outputBlock)).contains { a in
                    (0..<inputBlock).contains { b in
                        Self.tap(
                            a, b, d, kernel: kernel, stride: stride, padding: padding, transposed: transposed,
                            inputBlock: inputBlock) != nil
                    }
                }
            }
            guard let low = offsets.first, let high = offsets.last else { return nil }
            self.inputBlock = inputBlock
            self.outputBlock = outputBlock
            self.low = low
            self.high = high
            inputCells = input / inputBlock
            outputCells = output / outputBlock
            guard paddingBegin >= 0, paddingEnd >= 0 else { return nil }
        }
    }

    var layer: Convolution
    var rows: Axis
    var columns: Axis
    /// The one output phase (row, column) computed, or nil for all.
    var phase: (rows: Int, columns: Int)?

    init?(
        _ layer: Convolution, input: TensorShape, output: TensorShape, block: Int,
        phase: (rows: Int, columns: Int)? = nil
    ) {
        guard
            let rows = Axis(
                kernel: layer.kernel.height, stride: layer.stride.height, padding: layer.padding.height,
                transposed: layer.transposed, block: block, input: input.height, output: output.height,
                phase: phase?.rows),
            let columns = Axis(
                kernel: layer.kernel.width, stride: layer.stride.width, padding: layer.padding.width,
                transposed: layer.transposed, block: block, input: input.width, output: output.width,
                phase: phase?.columns)
        else { return nil }
        self.layer = layer
        self.rows = rows
        self.columns = columns
        self.phase = phase
    }

    /// The layer as one grid convolution per output phase, or nil if some phase cannot be planned.
    static func phases(_ layer: Convolution, input: TensorShape, output: TensorShape, block: Int) -> [Self]? {
        guard let all = Self(layer, input: input, output: output, block: block) else { return nil }
        var result: [Self] = []
        for ay in 0..<all.rows.outputBlock {
            for ax in 0..<all.columns.outputBlock {
                guard let one = Self(layer, input: input, output: output, block: block, phase: (ay, ax)) else {
                    return nil
                }
                result.append(one)
            }
        }
        return result
    }

    /// Output phases computed along each axis.
    private var rowPhases: [Int] { phase.map { [$0.rows] } ?? Array(0..<rows.outputBlock) }
    private var columnPhases: [Int] { phase.map { [$0.columns] } ?? Array(0..<columns.outputBlock) }

    /// The input grid: (Bi_y Bi_x Cin) x H/Bi_y x W/Bi_x.
    var inputGrid: TensorShape {
        TensorShape(
            channels: rows.inputBlock * columns.inputBlock * layer.inputChannels,
            height: rows.inputCells, width: columns.inputCells)
    }

    /// The output grid: (phases x Cout) x Ho/Bo_y x Wo/Bo_x.
    var outputGrid: TensorShape {
        TensorShape(
            channels: rowPhases.count * columnPhases.count * layer.outputChannels,
            height: rows.outputCells, width: columns.outputCells)
    }

    /// The stride-1 convolution between the grids, weights in (out, in, kh, kw) order with grid
    /// channels ordered (row phase, column phase, channel).
    var gridConvolution: Convolution {
        let (cin, cout) = (layer.inputChannels, layer.outputChannels)
        let (kh, kw) = layer.kernel
        let (inputs, outputs) = (inputGrid.channels, outputGrid.channels)
        var weight = [Float](repeating: 0, count: outputs * inputs * rows.window * columns.window)
        for (py, ay) in rowPhases.enumerated() {
            for (px, ax) in columnPhases.enumerated() {
                for by in 0..<rows.inputBlock {
                    for bx in 0..<columns.inputBlock {
                        for jy in 0..<rows.window {
                            guard
                                let ky = Axis.tap(
                                    ay, by, rows.low + jy, kernel: kh, stride: layer.stride.height,
                                    padding: layer.padding.height, transposed: layer.transposed,
                                    inputBlock: rows.inputBlock)
                            else { continue }
                            for jx in 0..<columns.window {
                                guard
                                    let kx = Axis.tap(
                                        ax, bx, columns.low + jx, kernel: kw, stride: layer.stride.width,
                                        padding: layer.padding.width, transposed: layer.transposed,
                                        inputBlock: columns.inputBlock)
                                else { continue }
                                for co in 0..<cout {
                                    let o = (py * columnPhases.count + px) * cout + co
                                    for ci in 0..<cin {
                                        let i = (by * columns.inputBlock + bx) * cin + ci
                                        let source =
                                            layer.transposed
                                            ? ((ci * cout + co) * kh + ky) * kw + kx
                                            : ((co * cin + ci) * kh + ky) * kw + kx
                                        let target = ((o * inputs + i) * rows.window + jy) * columns.window + jx
                                        weight[target] = layer.weight[source]
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        let phases = rowPhases.count * columnPhases.count
        return Convolution(
            transposed: false, inputChannels: inputs, outputChannels: outputs,
            kernel: (rows.window, columns.window), stride: (1, 1),
            padding: (rows.paddingBegin, columns.paddingBegin),
            paddingEnd: (rows.paddingEnd, columns.paddingEnd), weight: weight,
            bias: layer.bias.map { bias in (0..<phases).flatMap { _ in bias } },
            activation: layer.activation)
    }
}
