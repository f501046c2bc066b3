import Glibc

/// The bytes of a file being judged by ``ImageCompleteness``, read at
/// offsets, a piece at a time.
///
/// The checks never ask for more than ``ByteCursor/windowSize`` bytes at once,
/// whatever the file claims, so the memory they use does not depend on it.
protocol ImageBytes {
    /// How many bytes are judged: the file's size when it was listed.
    var size: Int64 { get }

    /// Copies up to `buffer.count` bytes from `offset` into `buffer` and
    /// returns how many it copied: fewer at the end of ``size``, 0 past it or
    /// when the file can no longer be read (it shrank, or an I/O error).
    func read(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) -> Int
}

/// An open file's bytes, read with `pread` only: the descriptor's offset is
/// left alone and the file is never opened again by its path.
struct DescriptorImageBytes: ImageBytes {
    let descriptor: Int32
    let size: Int64

    func read(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        guard offset >= 0, offset < size, let base = buffer.baseAddress else { return 0 }
        let wanted = Int(min(Int64(buffer.count), size - offset))
        var done = 0
        while done < wanted {
            let got = pread(descriptor, base + done, wanted - done, off_t(offset) + off_t(done))
            if got > 0 {
                done += got
            } else if got < 0 && errno == EINTR {
                continue
            } else {
                break
            }
        }
        return done
    }
}

/// Bytes already in memory: what the fuzzers and the tests judge.
struct MemoryImageBytes: ImageBytes {
    let bytes: [UInt8]
    var size: Int64 { Int64(bytes.count) }

    func read(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        bytes.withUnsafeBytes { BorrowedImageBytes(buffer: $0).read(at: offset, into: buffer) }
    }
}

/// Bytes someone else holds in memory (an upload's buffer), borrowed for
/// the time of a check: judged where they are, without a copy.
struct BorrowedImageBytes: ImageBytes {
    let buffer: UnsafeRawBufferPointer
    var size: Int64 { Int64(buffer.count) }

    func read(at offset: Int64, into destination: UnsafeMutableRawBufferPointer) -> Int {
        guard offset >= 0, offset < size, let from = buffer.baseAddress, let to = destination.baseAddress else { return 0 }
        let start = Int(offset)
        let count = min(destination.count, buffer.count - start)
        to.copyMemory(from: from + start, byteCount: count)
        return count
    }
}
