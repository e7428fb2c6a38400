import CKernels
import Dispatch

/// Runs a compiled graph with the exact convolutions of `CKernels`: every output element is one
/// fixed chain of correctly rounded fused multiply-adds (bias, then input channels ascending, then
/// kernel taps in row-major order), computed the same way by the AVX-512, AVX2 and generic builds.
/// A decoder run here gives the same bits on every CPU, so a container restores to identical pixels
/// wherever it is read (oneDNN picks its summation order per instruction set; see
/// Profiles/CROSS-ISA.md).
///
/// Tensors are laid out (row, channel, column) inside, so that the input rows one output row needs
/// are adjacent in memory; inputs and outputs are `Tensor`s (channels last). A transposed
/// convolution of stride s runs as s x s phases, each a small convolution over the input whose
/// outputs interleave (the taps of a phase in row-major order).
struct ExactEngine: Sendable {
    /// One phase of a layer: which kernel taps reach its outputs, and where those outputs go.
    struct Phase: Sendable {
        var rowOffset: Int, columnOffset: Int
        var rowStep: Int, columnStep: Int
        /// Input row and column offsets of each tap (relative to the phase output's input position).
        var tapRows: [Int32], tapColumns: [Int32]
        /// Weights packed [o / block][c][tap][o % block], zeros past the output channels.
        var weights: [Float]
    }

    /// A convolution prepared for the kernels.
    struct PreparedConvolution: Sendable {
        var convolution: Convolution
        var phases: [Phase]
        /// Output channels per packed weight block: 1, 4 or 8 (as few as the layer has, so that a
        /// one-channel output layer does not compute seven idle channels; 4 when blocks of 8 would
        /// leave four idle, as for 12 channels; 4 below AVX-512: there the 16 vector registers hold
        /// 8 accumulators of one 4-channel block over two column vectors, where a block of 8 leaves
        /// room for one column vector and so broadcasts each weight for a single vector).
        var block: Int
        /// Input rows and columns advanced per output row and column of a phase.
        var inputRowStep: Int, inputColumnStep: Int
    }

    let graph: CompiledGraph
    /// Per layer, the prepared convolution (nil for concat and add).
    let prepared: [PreparedConvolution?]
    /// Instruction set the kernels may use at most (lowered to what the CPU has).
    let isa: octarc_isa

    /// `widestBlock`: the widest weight block to pack (8 or 4; by default 8 at AVX-512, 4 below it,
    /// see `PreparedConvolution.block`). Tests pass both, so that every kernel runs on every CPU.
    init(_ graph: CompiledGraph, isa: octarc_isa = OCTARC_ISA_AVX512, widestBlock: Int? = nil) {
        self.graph = graph
        self.isa = isa
        // The level the kernels will run at (they lower `isa` the same way).
        let widestBlock = widestBlock ?? (octarc_clamp_isa(isa) == OCTARC_ISA_AVX512 ? 8 : 4)
        self.prepared = graph.layers.map { layer in
            guard case let .convolution(convolution) = layer.operation else { return nil }
            return Self.prepare(convolution, widestBlock: widestBlock)
        }
    }

    /// `widestBlock`: 8, or 4 to pack every layer of more than one output channel in blocks of 4.
    /// The packing changes which outputs a kernel call computes together, never an output's chain.
    static func prepare(_ c: Convolution, widestBlock: Int = 8) -> PreparedConvolution {
        let block =
            c.outputChannels == 1 ? 1 : c.outputChannels <= 4 || c.outputChannels % 8 == 4 || widestBlock < 8 ? 4 : 8
        let blocks = (c.outputChannels + block - 1) / block
        let (kh, kw) = c.kernel
        /// The weight of output o, input i, tap (ky, kx), from PyTorch's layout.
        func weight(_ o: Int, _ i: Int, _ ky: Int, _ kx: Int) -> Float {
            c.transposed
                ? c.weight[((i * c.outputChannels + o) * kh + ky) * kw + kx]
                : c.weight[((o * c.inputChannels + i) * kh + ky) * kw + kx]
        }
        func pack(_ taps: [(ky: Int, kx: Int)]) -> [Float] {
            var packed = [Float](repeating: 0, count: blocks * c.inputChannels * taps.count * block)
            for o in 0..<c.outputChannels {
                for i in 0..<c.inputChannels {
                    for (t, tap) in taps.enumerated() {
                        packed[(((o / block) * c.inputChannels + i) * taps.count + t) * block + o % block] =
                            weight(o, i, tap.ky, tap.kx)
                    }
                }
            }
            return packed
        }
        guard c.transposed else {
            // Output (j, i) reads input (stride · j + ky − padding, stride · i + kx − padding).
            let taps = (0..<kh).flatMap { ky in (0..<kw).map { kx in (ky: ky, kx: kx) } }
            let phase = Phase(
                rowOffset: 0, columnOffset: 0, rowStep: 1, columnStep: 1,
                tapRows: taps.map { Int32($0.ky - c.padding.height) },
                tapColumns: taps.map { Int32($0.kx - c.padding.width) }, weights: pack(taps))
            return PreparedConvolution(
                convolution: c, phases: [phase], block: block, inputRowStep: c.stride.height,
                inputColumnStep: c.stride.width)
        }
        // Output y = s · iy − padding + ky: the outputs of phase r (y = r + s · j) take the taps
        // with (r + padding − ky) divisible by s, from input row j + (r + padding − ky) / s.
        let (sh, sw) = c.stride
        var phases: [Phase] = []
        for r in 0..<sh {
            for q in 0..<sw {
                let rows = (0..<kh).filter { (r + c.padding.height - $0) % sh == 0 }
                let columns = (0..<kw).filter { (q + c.padding.width - $0) % sw == 0 }
                let taps = rows.flatMap { ky in columns.map { kx in (ky: ky, kx: kx) } }
                phases.append(
                    Phase(
                        rowOffset: r, columnOffset: q, rowStep: sh, columnStep: sw,
                        tapRows: taps.map { Int32((r + c.padding.height - $0.ky) / sh) },
                        tapColumns: taps.map { Int32((q + c.padding.width - $0.kx) / sw) }, weights: pack(taps)))
            }
        }
        return PreparedConvolution(
            convolution: c, phases: phases, block: block, inputRowStep: 1, inputColumnStep: 1)
    }

    /// A part of a tensor: values laid out (row, channel, column) with `channels` channels, or
    /// channels its producer already wrote into the padded copy of the convolution that reads them.
    enum Part {
        case values([Float], channels: Int)
        case placed(channels: Int)

        var channels: Int {
            switch self {
            case let .values(_, channels), let .placed(channels): channels
            }
        }
    }

    /// A tensor as one or more parts: a concatenation is kept as the list of its inputs, and the
    /// next convolution's padded copy gathers them (one copy instead of two).
    typealias Parts = [Part]

    /// The zero-padded copy of a convolution's input that its phases read: `rows` rows of `channels`
    /// x `stride` floats, the input plane (`height` x `width`) at (`padTop`, `padLeft`).
    struct PaddedGeometry {
        var padTop: Int, padLeft: Int, rows: Int, stride: Int, channels: Int
        var height: Int, width: Int
        /// Rows and columns of each phase's outputs.
        var counts: [(rows: Int, columns: Int)]
        var rowSize: Int { channels * stride }
    }

    /// Runs the graph on `inputs` (graph order, already checked) and returns its outputs by name.
    /// `threads` > 1 splits each phase's rows across threads (every element is computed alone, so
    /// the split does not change a bit).
    ///
    /// A convolution whose output only one convolution reads (directly, or through a concatenation
    /// only that convolution reads) writes it straight into that convolution's padded copy: no copy
    /// of it is made. The sums do not change, only where they are stored.
    func run(_ inputs: [Tensor], threads: Int) throws -> [String: Tensor] {
        let shapes = try graph.shapes(inputs: inputs.map(\.shape))
        let first = graph.inputs.count
        // The parts of each tensor, dropped after their last use.
        var values = [Parts?](repeating: nil, count: shapes.count)
        var lastUse = [Int](repeating: -1, count: shapes.count)
        var users = [[Int]](repeating: [], count: shapes.count)
        for (j, layer) in graph.layers.enumerated() {
            for i in layer.inputs {
                lastUse[i] = j
                users[i].append(j)
            }
        }
        var isOutput = [Bool](repeating: false, count: shapes.count)
        for output in graph.outputs {
            lastUse[output.tensor] = Int.max
            isOutput[output.tensor] = true
        }
        let geometries: [PaddedGeometry?] = graph.layers.enumerated().map { j, layer in
            guard case .convolution = layer.operation else { return nil }
            return Self.geometry(prepared[j]!, inputShape: shapes[layer.inputs[0]], outputShape: shapes[first + j])
        }
        // Where a convolution writes its output: the padded copy of its only reader (and the
        // channel the output starts at there), or nil for an array of its own.
        let destinations: [(layer: Int, channel: Int)?] = graph.layers.indices.map { j in
            let tensor = first + j
            guard case .convolution = graph.layers[j].operation, !isOutput[tensor], users[tensor].count == 1 else {
                return nil
            }
            let reader = users[tensor][0]
            switch graph.layers[reader].operation {
            case .convolution:
                return (reader, 0)
            case .concat:
                let concat = first + reader
                let parts = graph.layers[reader].inputs
                guard !isOutput[concat], users[concat].count == 1,
                    case .convolution = graph.layers[users[concat][0]].operation,
                    parts.filter({ $0 == tensor }).count == 1
                else { return nil }
                let channel = parts.prefix { $0 != tensor }.reduce(0) { $0 + shapes[$1].channels }
                return (users[concat][0], channel)
            case .add:
                return nil
            }
        }
        // The padded copies that producers wrote into before their convolution ran.
        var copies = [[Float]?](repeating: nil, count: graph.layers.count)
        for (i, tensor) in inputs.enumerated() {
            values[i] = [.values(Self.rowMajor(tensor), channels: tensor.channels)]
        }
        for (j, layer) in graph.layers.enumerated() {
            let index = first + j
            let shape = shapes[index]
            switch layer.operation {
            case .convolution:
                let geometry = geometries[j]!
                var input = copies[j] ?? Self.allocate(geometry)
                copies[j] = nil  // so that `input` is the only reference, and gathering into it copies nothing
                Self.gather(values[layer.inputs[0]]!, into: &input, geometry: geometry)
                if let (reader, channel) = destinations[j] {
                    let target = geometries[reader]!
                    // Taken out of `copies` before it is written, or the write would copy it whole.
                    var copy = copies[reader] ?? Self.allocate(target)
                    copies[reader] = nil
                    copy.withUnsafeMutableBufferPointer { copy in
                        convolve(
                            prepared[j]!, input: input, geometry: geometry, outputShape: shape,
                            output: copy.baseAddress! + target.padTop * target.rowSize + channel * target.stride
                                + target.padLeft,
                            rowStride: target.rowSize, channelStride: target.stride, threads: threads)
                    }
                    copies[reader] = copy
                    values[index] = [.placed(channels: shape.channels)]
                } else {
                    // Every output element is written by exactly one phase (the phases' rows and
                    // columns tile the output), so the array needs no zeros first.
                    var output = [Float](unsafeUninitializedCapacity: shape.elementCount ?? 0) { _, count in
                        count = shape.elementCount ?? 0
                    }
                    output.withUnsafeMutableBufferPointer { output in
                        convolve(
                            prepared[j]!, input: input, geometry: geometry, outputShape: shape,
                            output: output.baseAddress!, rowStride: shape.channels * shape.width,
                            channelStride: shape.width, threads: threads)
                    }
                    values[index] = [.values(output, channels: shape.channels)]
                }
            case .concat:
                values[index] = layer.inputs.flatMap { values[$0]! }
            case .add:
                var sum = Self.joined(values[layer.inputs[0]]!, shape: shape)
                for i in layer.inputs.dropFirst() {
                    let other = Self.joined(values[i]!, shape: shape)
                    sum.withUnsafeMutableBufferPointer { s in
                        other.withUnsafeBufferPointer { o in
                            for k in 0..<s.count { s[k] = s[k] + o[k] }
                        }
                    }
                }
                values[index] = [.values(sum, channels: shape.channels)]
            }
            for i in layer.inputs where lastUse[i] == j { values[i] = nil }
        }
        var result: [String: Tensor] = [:]
        for output in graph.outputs {
            let shape = shapes[output.tensor]
            result[output.name] = try Self.channelsLast(Self.joined(values[output.tensor]!, shape: shape), shape: shape)
        }
        return result
    }

    /// The parts as one array (row by row, the parts' channels in turn). Only a convolution's
    /// padded copy holds placed parts, so every part here has its values.
    static func joined(_ parts: Parts, shape: TensorShape) -> [Float] {
        let arrays = parts.map { part -> [Float] in
            guard case let .values(values, _) = part else { preconditionFailure("a placed part outside a copy") }
            return values
        }
        if arrays.count == 1 { return arrays[0] }
        var joined: [Float] = []
        joined.reserveCapacity(shape.elementCount ?? 0)
        for y in 0..<shape.height {
            for (part, values) in zip(parts, arrays) {
                let size = part.channels * shape.width
                joined += values[(y * size)..<((y + 1) * size)]
            }
        }
        return joined
    }

    /// Where the padded copy of a convolution's input puts the input, and each phase's output size.
    static func geometry(
        _ layer: PreparedConvolution, inputShape: TensorShape, outputShape: TensorShape
    ) -> PaddedGeometry {
        // Rows and columns of the input that the phases read, relative to the input plane.
        var top = 0
        var bottom = inputShape.height - 1
        var left = 0
        var right = inputShape.width - 1
        // Room for the kernels' last chunk of each phase to run past its last column (zeroed, see
        // `allocate`): sized per layer, since zeroing a fixed 64 columns per row cost more than the
        // wide layers' last chunks need.
        var slack = 0
        var counts: [(rows: Int, columns: Int)] = []
        for phase in layer.phases {
            let rows = max(0, (outputShape.height - phase.rowOffset + phase.rowStep - 1) / phase.rowStep)
            let columns = max(0, (outputShape.width - phase.columnOffset + phase.columnStep - 1) / phase.columnStep)
            counts.append((rows, columns))
            guard rows > 0, columns > 0, !phase.tapRows.isEmpty else { continue }
            slack = max(slack, Int(octarc_conv_row_slack(Int32(columns), Int32(layer.inputColumnStep))))
            top = min(top, Int(phase.tapRows.min()!))
            bottom = max(bottom, layer.inputRowStep * (rows - 1) + Int(phase.tapRows.max()!))
            left = min(left, Int(phase.tapColumns.min()!))
            right = max(right, layer.inputColumnStep * (columns - 1) + Int(phase.tapColumns.max()!))
        }
        return PaddedGeometry(
            padTop: -top, padLeft: -left, rows: bottom - top + 1, stride: right - left + 1 + slack,
            channels: layer.convolution.inputChannels, height: inputShape.height, width: inputShape.width,
            counts: counts)
    }

    /// A padded copy with zeros in its margins (rows above and below the input, columns left and
    /// right of it); the input's own elements are left for its producers and `gather` to write.
    static func allocate(_ g: PaddedGeometry) -> [Float] {
        [Float](unsafeUninitializedCapacity: g.rows * g.rowSize) { p, count in
            count = g.rows * g.rowSize
            let base = p.baseAddress!
            for row in 0..<g.rows {
                let target = base + row * g.rowSize
                let y = row - g.padTop
                guard y >= 0 && y < g.height else {
                    target.update(repeating: 0, count: g.rowSize)
                    continue
                }
                for channel in 0..<g.channels {
                    let to = target + channel * g.stride
                    to.update(repeating: 0, count: g.padLeft)
                    (to + g.padLeft + g.width).update(repeating: 0, count: g.stride - g.padLeft - g.width)
                }
            }
        }
    }

    /// Copies the parts that have values into the padded copy, at their channels (placed parts are
    /// there already).
    static func gather(_ parts: Parts, into copy: inout [Float], geometry g: PaddedGeometry) {
        copy.withUnsafeMutableBufferPointer { copy in
            var channel = 0
            for part in parts {
                defer { channel += part.channels }
                guard case let .values(values, channels) = part else { continue }
                values.withUnsafeBufferPointer { source in
                    for y in 0..<g.height {
                        let target = copy.baseAddress! + (g.padTop + y) * g.rowSize + g.padLeft
                        for k in 0..<channels {
                            (target + (channel + k) * g.stride).update(
                                from: source.baseAddress! + (y * channels + k) * g.width, count: g.width)
                        }
                    }
                }
            }
        }
    }

    /// One convolution: every phase, from the padded copy `input`, into `output` (element (o, y, x)
    /// at `output + y · rowStride + o · channelStride + x`).
    func convolve(
        _ layer: PreparedConvolution, input padded: [Float], geometry: PaddedGeometry, outputShape: TensorShape,
        output destination: UnsafeMutablePointer<Float>, rowStride: Int, channelStride: Int, threads: Int
    ) {
        let c = layer.convolution
        let counts = geometry.counts
        let (activation, alpha, beta) = Self.activation(c.activation)
        padded.withUnsafeBufferPointer { source in
            c.bias.withUnsafeOptionalBufferPointer { bias in
                // Phases of neighbouring output columns (a transposed convolution of stride 2 across)
                // run as pairs, so that their outputs are stored interleaved a vector at a time.
                var groups: [(Int, Int?)] = []
                var k = 0
                while k < layer.phases.count {
                    let a = layer.phases[k]
                    if k + 1 < layer.phases.count, a.columnStep == 2, a.columnOffset == 0,
                        layer.phases[k + 1].columnOffset == 1, layer.phases[k + 1].rowOffset == a.rowOffset,
                        counts[k] == counts[k + 1]
                    {
                        groups.append((k, k + 1))
                        k += 2
                    } else {
                        groups.append((k, nil))
                        k += 1
                    }
                }
                for (first, second) in groups where counts[first].rows > 0 && counts[first].columns > 0 {
                    let phase = layer.phases[first]
                    let pair = second.map { layer.phases[$0] }
                    let count = counts[first]
                    let parts = max(1, min(threads, count.rows))
                    var call = PhaseCall(
                        phase: octarc_conv_phase(
                            input: source.baseAddress, in_channels: Int32(c.inputChannels),
                            in_rows: Int32(geometry.rows), in_stride: Int32(geometry.stride),
                            pad_top: Int32(geometry.padTop), pad_left: Int32(geometry.padLeft),
                            in_row_step: Int32(layer.inputRowStep), in_col_step: Int32(layer.inputColumnStep),
                            tap_row: nil, tap_col: nil, taps: Int32(phase.tapRows.count), weights: nil,
                            bias: bias, channel_block: Int32(layer.block),
                            out_channels: Int32(c.outputChannels), output: destination,
                            out_row_stride: rowStride, out_channel_stride: channelStride,
                            out_row0: Int32(phase.rowOffset), out_col0: Int32(phase.columnOffset),
                            out_row_step: Int32(phase.rowStep), out_col_step: Int32(phase.columnStep),
                            first_row: 0, phase_rows: Int32(count.rows), phase_cols: Int32(count.columns),
                            activation: activation, alpha: alpha, beta: beta,
                            pair_tap_row: nil, pair_tap_col: nil, pair_taps: Int32(pair?.tapRows.count ?? 0),
                            pair_weights: nil),
                        isa: isa)
                    Self.withPointers(phase) { tapRows, tapColumns, weights in
                        call.phase.tap_row = tapRows
                        call.phase.tap_col = tapColumns
                        call.phase.weights = weights
                        Self.withPointers(pair) { pairRows, pairColumns, pairWeights in
                            call.phase.pair_tap_row = pairRows
                            call.phase.pair_tap_col = pairColumns
                            call.phase.pair_weights = pairWeights
                            let work = call
                            if parts == 1 {
                                work.run(rows: 0..<count.rows)
                            } else {
                                DispatchQueue.concurrentPerform(iterations: parts) { part in
                                    work.run(rows: (count.rows * part / parts)..<(count.rows * (part + 1) / parts))
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The phase's taps and weights as pointers for the duration of `body` (nil for no phase).
    static func withPointers(
        _ phase: Phase?,
        _ body: (UnsafePointer<Int32>?, UnsafePointer<Int32>?, UnsafePointer<Float>?) -> Void
    ) {
        guard let phase else { return body(nil, nil, nil) }
        phase.tapRows.withUnsafeBufferPointer { rows in
            phase.tapColumns.withUnsafeBufferPointer { columns in
                phase.weights.withUnsafeBufferPointer { weights in
                    body(rows.baseAddress, columns.baseAddress, weights.baseAddress)
                }
            }
        }
    }

    static func activation(_ activation: Activation) -> (octarc_activation, Float, Float) {
        switch activation {
        case .none: (OCTARC_ACTIVATION_NONE, 0, 0)
        case .relu: (OCTARC_ACTIVATION_RELU, 0, 0)
        case let .leakyReLU(alpha): (OCTARC_ACTIVATION_LEAKY_RELU, alpha, 0)
        case let .clip(low, high): (OCTARC_ACTIVATION_CLIP, low, high)
        case .sigmoid: (OCTARC_ACTIVATION_SIGMOID, 0, 0)
        case .tanh: (OCTARC_ACTIVATION_TANH, 0, 0)
        }
    }

    /// A tensor's values laid out (row, channel, column).
    static func rowMajor(_ tensor: Tensor) -> [Float] {
        let (channels, height, width) = (tensor.channels, tensor.height, tensor.width)
        guard channels > 1 else { return tensor.data }
        var out = [Float](repeating: 0, count: tensor.data.count)
        tensor.data.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { target in
                for y in 0..<height {
                    for x in 0..<width {
                        for channel in 0..<channels {
                            target[(y * channels + channel) * width + x] = source[(y * width + x) * channels + channel]
                        }
                    }
                }
            }
        }
        return out
    }

    /// Values laid out (row, channel, column) as a channels-last tensor.
    static func channelsLast(_ values: [Float], shape: TensorShape) throws -> Tensor {
        let (channels, height, width) = (shape.channels, shape.height, shape.width)
        guard channels > 1 else { return try Tensor(shape: shape, data: values) }
        var out = [Float](repeating: 0, count: values.count)
        values.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { target in
                for y in 0..<height {
                    for channel in 0..<channels {
                        for x in 0..<width {
                            target[(y * width + x) * channels + channel] = source[(y * channels + channel) * width + x]
                        }
                    }
                }
            }
        }
        return try Tensor(shape: shape, data: out)
    }
}

/// One phase's arguments, run on a part of its rows. The pointers in it stay valid for the whole
/// `concurrentPerform` that uses it, and parts write disjoint output rows.
private struct PhaseCall: @unchecked Sendable {
    var phase: octarc_conv_phase
    var isa: octarc_isa

    func run(rows: Range<Int>) {
        var p = phase
        p.first_row = Int32(rows.lowerBound)
        p.phase_rows = Int32(rows.count)
        _ = octarc_conv_phase_run(&p, isa)
    }
}

extension Optional where Wrapped == [Float] {
    /// The base address of the array's storage, or nil, for the duration of `body`.
    fileprivate func withUnsafeOptionalBufferPointer<R>(_ body: (UnsafePointer<Float>?) -> R) -> R {
        switch self {
        case let .some(array): array.withUnsafeBufferPointer { body($0.baseAddress) }
        case .none: body(nil)
        }
    }
}
