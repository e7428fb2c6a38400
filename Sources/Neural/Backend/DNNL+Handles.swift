import CDNNL

#if canImport(Glibc)
import Glibc
#endif

/// A oneDNN primitive descriptor, destroyed with this object.
final class PrimitiveDescriptor: @unchecked Sendable {
    // Only queried (read) after creation.
    let handle: dnnl_primitive_desc_t

    init(_ handle: dnnl_primitive_desc_t) { self.handle = handle }
    deinit { dnnl_primitive_desc_destroy(handle) }

    /// The memory descriptor the primitive expects for `query` (e.g. `dnnl_query_weights_md`).
    func memoryDescriptor(_ query: dnnl_query_t, index: Int32 = 0) -> dnnl_memory_desc_t? {
        dnnl_primitive_desc_query_md(handle, query, index)?.pointee
    }

    /// Bytes of scratchpad the primitive needs.
    var scratchpadSize: Int {
        guard var md = memoryDescriptor(dnnl_query_scratchpad_md) else { return 0 }
        return dnnl_memory_desc_get_size(&md)
    }

    /// The scratchpad's descriptor, or nil when the primitive needs none.
    var scratchpad: dnnl_memory_desc_t? {
        scratchpadSize > 0 ? memoryDescriptor(dnnl_query_scratchpad_md) : nil
    }

    /// The implementation oneDNN picked, e.g. `brgconv:avx512_core`.
    var implementation: String {
        var name: UnsafePointer<CChar>?
        guard dnnl_primitive_desc_query(handle, dnnl_query_impl_info_str, 0, &name) == dnnl_success,
            let name
        else { return "?" }
        return String(cString: name)
    }

    /// The primitive kind and implementation, e.g. `convolution brgconv:avx512_core`.
    var summary: String {
        var kind = dnnl_undefined_primitive
        dnnl_primitive_desc_query(handle, dnnl_query_primitive_kind, 0, &kind)
        let name =
            switch kind {
            case dnnl_reorder: "reorder"
            case dnnl_concat: "concat"
            case dnnl_binary: "binary"
            case dnnl_convolution: "convolution"
            case dnnl_deconvolution: "deconvolution"
            default: "primitive"
            }
        return "\(name) \(implementation)"
    }
}

/// A oneDNN primitive. Executing one primitive concurrently from several threads is safe with a
/// user-provided scratchpad, which is how every primitive here is created.
final class Primitive: @unchecked Sendable {
    let handle: dnnl_primitive_t
    let descriptor: PrimitiveDescriptor

    init(_ descriptor: PrimitiveDescriptor) throws {
        var primitive: dnnl_primitive_t?
        try DNNL.check(
            dnnl_primitive_create(&primitive, descriptor.handle),
            "creating a \(descriptor.implementation) primitive")
        guard let primitive else { throw NeuralError.backend("no primitive") }
        handle = primitive
        self.descriptor = descriptor
    }

    deinit { dnnl_primitive_destroy(handle) }

    func execute(_ stream: Stream, _ arguments: UnsafeBufferPointer<dnnl_exec_arg_t>) throws {
        try DNNL.check(
            dnnl_primitive_execute(handle, stream.handle, Int32(arguments.count), arguments.baseAddress),
            "executing \(descriptor.implementation)")
    }
}

/// 64-byte aligned memory owned by this object.
final class AlignedBuffer: @unchecked Sendable {
    // Written only while a single thread owns it (weights at plan creation, workspaces while checked out).
    let pointer: UnsafeMutableRawPointer
    let size: Int

    init(size: Int) throws {
        var raw: UnsafeMutableRawPointer?
        guard posix_memalign(&raw, 64, max(size, 64)) == 0, let raw else {
            throw NeuralError.backend("cannot allocate \(size) bytes")
        }
        pointer = raw
        self.size = size
    }

    /// A copy of `values`.
    convenience init(copying values: [Float]) throws {
        try self.init(size: 4 * values.count)
        values.withUnsafeBytes { UnsafeMutableRawBufferPointer(start: pointer, count: size).copyMemory(from: $0) }
    }

    deinit { free(pointer) }
}

/// A oneDNN memory object over memory owned elsewhere (kept alive by `storage`).
final class Memory: @unchecked Sendable {
    // The handle is never changed after creation; several executions may read it at once.
    let handle: dnnl_memory_t
    let storage: AlignedBuffer

    init(_ descriptor: dnnl_memory_desc_t, engine: Engine, storage: AlignedBuffer, offset: Int = 0) throws {
        var md = descriptor
        var memory: dnnl_memory_t?
        try DNNL.check(
            dnnl_memory_create(&memory, &md, engine.handle, storage.pointer + offset),
            "creating a memory object")
        guard let memory else { throw NeuralError.backend("no memory object") }
        handle = memory
        self.storage = storage
    }

    deinit { dnnl_memory_destroy(handle) }
}

/// A oneDNN stream, used by one thread at a time.
final class Stream: @unchecked Sendable {
    let handle: dnnl_stream_t

    init(engine: Engine) throws {
        var stream: dnnl_stream_t?
        try DNNL.check(
            dnnl_stream_create(&stream, engine.handle, UInt32(dnnl_stream_default_flags.rawValue)),
            "creating a stream")
        guard let stream else { throw NeuralError.backend("no stream") }
        handle = stream
    }

    deinit { dnnl_stream_destroy(handle) }

    func wait() throws { try DNNL.check(dnnl_stream_wait(handle), "waiting for a stream") }
}
