import Glibc

/// Makes glibc give large buffers (file chunks, upload bodies, blocks) back
/// to the system as soon as they are freed.
///
/// By default glibc raises its mmap threshold to the size of the largest
/// buffer freed so far (up to 32 MiB); after the first 2 MiB upload body,
/// every later one comes from the heap arenas of whichever threads touched
/// it, and the freed space stays resident there. Fixing the threshold keeps
/// such buffers in their own mappings. Measured with the benchmark harness
/// (2,000 × 2 MiB to Azure, 4 at a time): peak RSS 80 → 57 MiB, same speed.
package enum LargeBuffers {
    /// Buffers at least this large get mappings of their own.
    static let mmapThreshold: Int32 = 256 << 10

    /// glibc's `M_MMAP_THRESHOLD` parameter of `mallopt` (malloc.h).
    private static let mmapThresholdParameter: Int32 = -3

    /// `mallopt` is not in the Glibc module: looked up by name, and skipped
    /// under another C library.
    private static let configured: Bool = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return false }
        let mallopt = unsafeBitCast(symbol, to: (@convention(c) (Int32, Int32) -> Int32).self)
        return mallopt(mmapThresholdParameter, mmapThreshold) == 1
    }()

    /// Sets the threshold, once per process.
    package static func configure() {
        _ = configured
    }
}
