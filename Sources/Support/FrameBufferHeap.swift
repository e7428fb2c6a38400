#if canImport(Glibc)
import Glibc
#endif

/// How the executables (`octarc`, the benchmarks) ask glibc to keep large freed blocks.
///
/// Every frame allocates the same few buffers of about a megabyte. By default glibc serves such
/// blocks by mmap, or trims them from the heap once freed, and faults their pages in again for the
/// next frame: segmentation ran 30–70 % slower for it. Raising the mmap threshold to 64 MiB and the
/// trim threshold to 256 MiB keeps them in the heap for reuse. Process-wide; call it once, first
/// thing in `main`, never from library code. Does nothing off glibc.
public enum FrameBufferHeap {
    public static func keepFreedBuffers() {
        #if canImport(Glibc)
        let trimThreshold: Int32 = -1  // M_TRIM_THRESHOLD (malloc.h)
        let mmapThreshold: Int32 = -3  // M_MMAP_THRESHOLD
        _ = glibcMallopt(mmapThreshold, 64 << 20)
        _ = glibcMallopt(trimThreshold, 256 << 20)
        #endif
    }
}

#if canImport(Glibc)
/// glibc's mallopt (malloc.h is not part of Swift's Glibc module).
@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif
