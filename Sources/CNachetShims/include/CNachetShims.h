#ifndef NACHET_SHIMS_H
#define NACHET_SHIMS_H

/// The `f_type` (filesystem magic number) `statfs(2)` reports for `path`;
/// -1 when it fails. `struct statfs` is not imported by Swift's Glibc module.
long nachet_statfs_type(const char *path);

/// The `O_DIRECT` open flag (its value differs between architectures, and
/// Swift's Glibc module leaves it out, as it needs `_GNU_SOURCE`).
int nachet_o_direct(void);

/// A new eventfd, non-blocking and closed on exec; -1 when it fails
/// (`sys/eventfd.h` is not in Swift's Glibc module).
int nachet_eventfd(void);

/// Azure Storage's CRC-64 of `length` bytes at `data`, continuing from
/// `crc` (0 to start, or the result for the bytes before): polynomial
/// 0x9A6C9329AC4BC9B5, reflected, all bits inverted on the way in and out.
/// It is what `x-ms-content-crc64` carries (little-endian, base64).
unsigned long long nachet_crc64(unsigned long long crc, const void *data, unsigned long length);

/// Writes `length` bytes at `data` over the start of the file at `path`,
/// in place (same inode), and gives the file back its access and
/// modification times, to the nanosecond: a change `stat` cannot see. For
/// the tests of a file rewritten behind the agent's back. 0 on success, -1
/// when the file is not `length` bytes long or a call fails.
int nachet_overwrite_unseen(const char *path, const void *data, unsigned long length);

#endif
