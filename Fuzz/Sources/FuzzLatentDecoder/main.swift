import CFuzzerDriver

#if canImport(Glibc)
import Glibc
#endif

// SwiftPM makes this file the program's main; hand the command line to libFuzzer.
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(
    LLVMFuzzerRunDriver(&argc, &argv) { data, size in
        guard let data else { return 0 }
        return fuzzLatentDecoder(data, size)
    })
