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
        guard offset >= 0, offset < size else { return 0 }
        let start = Int(offset)
        let count = min(buffer.count, bytes.count - start)
        bytes.withUnsafeBytes { source in
            guard let from = source.baseAddress, let to = buffer.baseAddress else { return }
            to.copyMemory(from: from + start, byteCount: count)
        }
        return count
    }
}
