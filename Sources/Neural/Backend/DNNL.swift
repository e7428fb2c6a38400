import CDNNL

#if canImport(Glibc)
import Glibc
#endif

/// Shared oneDNN state and helpers: the CPU engine, status checks, execution argument indices.
enum DNNL {
    /// Execution argument indices (`DNNL_ARG_*` in dnnl_types.h).
    enum Argument {
        static let source: Int32 = 1
        static let source1: Int32 = 2
        static let destination: Int32 = 17
        static let weights: Int32 = 33
        static let bias: Int32 = 41
        static let scratchpad: Int32 = 80
        static let multipleSource: Int32 = 1024
    }

    /// Throws `NeuralError.backend` unless `status` is success.
    static func check(_ status: dnnl_status_t, _ what: @autoclosure () -> String) throws {
        guard status != dnnl_success else { return }
        throw NeuralError.backend("\(what()) failed (\(statusName(status)))")
    }

    static func statusName(_ status: dnnl_status_t) -> String {
        switch status {
        case dnnl_out_of_memory: "out of memory"
        case dnnl_invalid_arguments: "invalid arguments"
        case dnnl_unimplemented: "unimplemented"
        case dnnl_runtime_error: "runtime error"
        default: "status \(status.rawValue)"
        }
    }

    /// The process-wide CPU engine (engines are thread-safe).
    static let engine: Result<Engine, NeuralError> = Result { try Engine() }.mapError {
        $0 as? NeuralError ?? .backend("\($0)")
    }

    /// Sets the number of OpenMP threads oneDNN uses for primitives created or executed on the
    /// calling thread. Debian's libdnnl uses the OpenMP runtime, whose thread count is a per-thread
    /// setting; `omp_set_num_threads` is looked up in the already loaded libgomp.
    static func setThreads(_ count: Int) {
        OpenMP.setNumThreads?(Int32(clamping: count))
    }
}

/// `omp_set_num_threads` from the OpenMP runtime libdnnl loaded, if any.
private enum OpenMP {
    typealias SetNumThreads = @convention(c) (Int32) -> Void
    static let setNumThreads: SetNumThreads? = {
        #if canImport(Glibc)
        guard let process = dlopen(nil, RTLD_NOW), let symbol = dlsym(process, "omp_set_num_threads") else {
            return nil
        }
        return unsafeBitCast(symbol, to: SetNumThreads.self)
        #else
        return nil
        #endif
    }()
}

/// A oneDNN CPU engine.
final class Engine: @unchecked Sendable {
    // Engines are immutable after creation and documented as thread-safe.
    let handle: dnnl_engine_t

    init() throws {
        var engine: dnnl_engine_t?
        try DNNL.check(dnnl_engine_create(&engine, dnnl_cpu, 0), "creating the CPU engine")
        guard let engine else { throw NeuralError.backend("no CPU engine") }
        handle = engine
    }

    deinit { dnnl_engine_destroy(handle) }
}
