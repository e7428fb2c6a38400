import CDNNL

/// Primitive descriptors for the operations the codec networks use. Activations are NHWC
/// (`dnnl_nhwc`, batch 1) where the engine addresses them (graph inputs and outputs, concats, adds,
/// lowered convolutions); a convolution run as oneDNN's own primitive may choose its layouts
/// (`PlanBuilder`). Weights are left to the primitive (`dnnl_format_tag_any`) and reordered once
/// per plan.
extension DNNL {
    /// A float32 memory descriptor with logical `dimensions` in `format`.
    static func memoryDescriptor(_ dimensions: [Int], _ format: dnnl_format_tag_t) throws -> dnnl_memory_desc_t {
        var md = dnnl_memory_desc_t()
        let dims = dimensions.map(Int64.init)
        try check(
            dnnl_memory_desc_init_by_tag(&md, Int32(dims.count), dims, dnnl_f32, format),
            "describing a \(dimensions) tensor")
        return md
    }

    /// A float32 memory descriptor with logical `dimensions` and element `strides`.
    static func memoryDescriptor(_ dimensions: [Int], strides: [Int]) throws -> dnnl_memory_desc_t {
        var md = dnnl_memory_desc_t()
        let dims = dimensions.map(Int64.init)
        try check(
            dnnl_memory_desc_init_by_strides(&md, Int32(dims.count), dims, dnnl_f32, strides.map(Int64.init)),
            "describing a \(dimensions) tensor with strides \(strides)")
        return md
    }

    /// Two 5-D views (rows, row phase, columns, column phase, channel) of the same values: in an
    /// NHWC image of `image`'s size, and in its space-to-depth grid with `block` pixels per cell.
    /// A reorder between them is a pixel shuffle.
    static func blockViews(
        _ image: TensorShape, block: (rows: Int, columns: Int)
    ) throws
        -> (image: dnnl_memory_desc_t, grid: dnnl_memory_desc_t)
    {
        let (by, bx, c) = (block.rows, block.columns, image.channels)
        let (m, n) = (image.height / by, image.width / bx)
        let dimensions = [m, by, n, bx, c]
        return (
            try memoryDescriptor(dimensions, strides: [by * image.width * c, image.width * c, bx * c, c, 1]),
            try memoryDescriptor(dimensions, strides: [n * by * bx * c, bx * c, by * bx * c, c, 1])
        )
    }

    /// The view, in an NHWC image of `image`'s size, of the pixels of output `phase` of `block`-pixel
    /// cells, as an NHWC tensor of one value per cell; and the view's byte offset into the image.
    static func phaseView(
        _ image: TensorShape, block: (rows: Int, columns: Int), phase: (rows: Int, columns: Int)
    )
        throws -> (descriptor: dnnl_memory_desc_t, offset: Int)
    {
        let (by, bx, c, w) = (block.rows, block.columns, image.channels, image.width)
        let descriptor = try memoryDescriptor(
            [1, c, image.height / by, w / bx],
            strides: [image.height * w * c, 1, by * w * c, bx * c])
        return (descriptor, 4 * (phase.rows * w + phase.columns) * c)
    }

    /// The descriptor of an activation tensor: batch 1, NHWC, or `any` to let a primitive choose.
    static func activation(_ shape: TensorShape, preferred: Bool = false) throws -> dnnl_memory_desc_t {
        try memoryDescriptor(
            [1, shape.channels, shape.height, shape.width], preferred ? dnnl_format_tag_any : dnnl_nhwc)
    }

    /// Attributes every primitive gets: a user-managed scratchpad (so that one primitive can run on
    /// several threads at once) and the activation as an eltwise post-op.
    private static func attributes(_ activation: Activation) throws -> dnnl_primitive_attr_t {
        var attr: dnnl_primitive_attr_t?
        try check(dnnl_primitive_attr_create(&attr), "creating primitive attributes")
        guard let attr else { throw NeuralError.backend("no primitive attributes") }
        do {
            try check(
                dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user),
                "setting the scratchpad mode")
            let eltwise: (dnnl_alg_kind_t, Float, Float)? =
                switch activation {
                case .none: nil
                case .relu: (dnnl_eltwise_relu, 0, 0)
                case let .leakyReLU(alpha): (dnnl_eltwise_relu, alpha, 0)
                case .sigmoid: (dnnl_eltwise_logistic, 0, 0)
                case .tanh: (dnnl_eltwise_tanh, 0, 0)
                case let .clip(low, high): (dnnl_eltwise_clip, low, high)
                }
            if let (algorithm, alpha, beta) = eltwise {
                var ops: dnnl_post_ops_t?
                try check(dnnl_post_ops_create(&ops), "creating post-ops")
                defer { dnnl_post_ops_destroy(ops) }
                try check(dnnl_post_ops_append_eltwise(ops, 1, algorithm, alpha, beta), "appending an activation")
                try check(dnnl_primitive_attr_set_post_ops(attr, ops), "setting post-ops")
            }
            return attr
        } catch {
            dnnl_primitive_attr_destroy(attr)
            throw error
        }
    }

    private static func create(
        _ what: String, _ body: (inout dnnl_primitive_desc_t?) -> dnnl_status_t
    ) throws
        -> PrimitiveDescriptor
    {
        var pd: dnnl_primitive_desc_t?
        try check(body(&pd), what)
        guard let pd else { throw NeuralError.backend("\(what): no primitive descriptor") }
        return PrimitiveDescriptor(pd)
    }

    /// A (transposed) convolution from `input` to `output` with bias and activation fused.
    /// `preferred` lets oneDNN choose the activation layouts too (used to measure its best case).
    static func convolution(
        _ layer: Convolution, input: TensorShape, output: TensorShape, engine: Engine,
        preferred: Bool = false
    ) throws -> PrimitiveDescriptor {
        var source = try activation(input, preferred: preferred)
        var destination = try activation(output, preferred: preferred)
        var weights = try memoryDescriptor(
            [layer.outputChannels, layer.inputChannels, layer.kernel.height, layer.kernel.width], dnnl_format_tag_any)
        // A zero descriptor disables the bias term.
        var bias = layer.bias == nil ? dnnl_memory_desc_t() : try memoryDescriptor([layer.outputChannels], dnnl_a)
        let strides = [Int64(layer.stride.height), Int64(layer.stride.width)]
        let padding = [Int64(layer.padding.height), Int64(layer.padding.width)]
        let paddingEnd = [Int64(layer.paddingEnd.height), Int64(layer.paddingEnd.width)]
        let attr = try attributes(layer.activation)
        defer { dnnl_primitive_attr_destroy(attr) }
        let what = "\(layer.transposed ? "transposed convolution" : "convolution") \(input) -> \(output)"
        if layer.transposed {
            var desc = dnnl_deconvolution_desc_t()
            try check(
                dnnl_deconvolution_forward_desc_init(
                    &desc, dnnl_forward_inference, dnnl_deconvolution_direct, &source, &weights,
                    &bias, &destination, strides, padding, paddingEnd), what)
            return try create(what) { dnnl_primitive_desc_create(&$0, &desc, attr, engine.handle, nil) }
        }
        var desc = dnnl_convolution_desc_t()
        try check(
            dnnl_convolution_forward_desc_init(
                &desc, dnnl_forward_inference, dnnl_convolution_direct, &source, &weights,
                &bias, &destination, strides, padding, paddingEnd), what)
        return try create(what) { dnnl_primitive_desc_create(&$0, &desc, attr, engine.handle, nil) }
    }

    /// Concatenation along channels.
    static func concat(_ inputs: [TensorShape], output: TensorShape, engine: Engine) throws -> PrimitiveDescriptor {
        var destination = try activation(output)
        let sources = try inputs.map { try activation($0) }
        let attr = try attributes(.none)
        defer { dnnl_primitive_attr_destroy(attr) }
        return try create("concatenation to \(output)") { pd in
            sources.withUnsafeBufferPointer {
                dnnl_concat_primitive_desc_create(
                    &pd, &destination, Int32($0.count), 1, $0.baseAddress, attr,
                    engine.handle)
            }
        }
    }

    /// Elementwise sum of two tensors of `shape`.
    static func add(_ shape: TensorShape, engine: Engine) throws -> PrimitiveDescriptor {
        var md = try activation(shape)
        var md1 = md
        var destination = md
        var desc = dnnl_binary_desc_t()
        try check(dnnl_binary_desc_init(&desc, dnnl_binary_add, &md, &md1, &destination), "sum of \(shape)")
        let attr = try attributes(.none)
        defer { dnnl_primitive_attr_destroy(attr) }
        return try create("sum of \(shape)") { dnnl_primitive_desc_create(&$0, &desc, attr, engine.handle, nil) }
    }

    /// A reorder between two layouts of the same tensor.
    static func reorder(
        from source: dnnl_memory_desc_t, to destination: dnnl_memory_desc_t, engine: Engine
    ) throws
        -> PrimitiveDescriptor
    {
        var source = source
        var destination = destination
        let attr = try attributes(.none)
        defer { dnnl_primitive_attr_destroy(attr) }
        return try create("reorder") {
            dnnl_reorder_primitive_desc_create(&$0, &source, engine.handle, &destination, engine.handle, attr)
        }
    }
}
