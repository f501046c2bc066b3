#ifndef NACHET_SHIMS_H
#define NACHET_SHIMS_H

/// The `f_type` (filesystem magic number) `statfs(2)` reports for `path`;
/// -1 when it fails. `struct statfs` is not imported by Swift's Glibc module.
long nachet_statfs_type(const char *path);

#endif
