#!/usr/bin/env bash
# Builds the libFuzzer targets and runs each for SECONDS (default 60) over
# its seed corpus (Tests/Fuzz/Corpus/<corpus>) and the crashers found before
# (Tests/Fuzz/Crashers/<corpus>):
#
#   ImageCompletenessFuzzer  ImageCompleteness and ImageContent on any bytes (memory and descriptor agree)
#   MetadataFuzzer           SetMetadata.parse on any bytes
#
# Each run stops on a crash, a hang (-timeout), an allocation larger than any
# input warrants (-malloc_limit_mb) or too much memory (-rss_limit_mb); the
# input that did it is copied to Tests/Fuzz/Crashers/<corpus>/, where
# FuzzCorpusReplayTests replays it in every `swift test` once committed.
#
# The build uses its own scratch path (.build-fuzz) and only the fuzz
# products; Package.swift declares them when NACHET_SYNC_FUZZ=1. On a
# toolchain without libFuzzer (swiftc -sanitize=fuzzer fails) it says
# "skipped: why" and exits 0.
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds="${1:-60}"
scratch=.build-fuzz
fuzz=Tests/Fuzz
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# target:corpus:max_len:extra options
targets=(
    "ImageCompletenessFuzzer:images:16384:"
    "MetadataFuzzer:metadata:4096:-dict=$fuzz/metadata.dict"
)

probe="$work/probe.swift"
cat >"$probe" <<'SWIFT'
@_cdecl("LLVMFuzzerTestOneInput")
public func probe(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt { 0 }
SWIFT
if ! probe_output="$(swiftc -sanitize=fuzzer -parse-as-library "$probe" -o "$work/probe" 2>&1)"; then
    echo "run-fuzzers: skipped: this Swift toolchain cannot build libFuzzer targets (swiftc -sanitize=fuzzer failed: $(echo "$probe_output" | head -3 | tr '\n' ' '))"
    exit 0
fi

echo "run-fuzzers: building ${#targets[@]} fuzz targets in $scratch"
for entry in "${targets[@]}"; do
    product="${entry%%:*}"
    NACHET_SYNC_FUZZ=1 swift build --scratch-path "$scratch" -c release --sanitize=fuzzer --product "$product" 2>&1 \
        | grep -v '^\[' || true
    test -x "$scratch/release/$product" || { echo "run-fuzzers: building $product failed" >&2; exit 1; }
done

summary=()
status=0
for entry in "${targets[@]}"; do
    IFS=: read -r target corpus max_len extra <<<"$entry"
    new_inputs="$work/$target-corpus"
    mkdir -p "$new_inputs" "$work/$target-artifacts"
    seeds=("$fuzz/Corpus/$corpus")
    [ -d "$fuzz/Crashers/$corpus" ] && seeds+=("$fuzz/Crashers/$corpus")
    echo "run-fuzzers: $target for $seconds s"
    log="$work/$target.log"
    # shellcheck disable=SC2086
    if "$scratch/release/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=1024 -malloc_limit_mb=64 \
        -max_len="$max_len" -print_final_stats=1 -artifact_prefix="$work/$target-artifacts/" $extra \
        "$new_inputs" "${seeds[@]}" >"$log" 2>&1; then
        runs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')"
        echo "run-fuzzers: $target: $runs runs in $seconds s, nothing found"
        summary+=("$target $runs runs")
    else
        status=1
        tail -40 "$log"
        mkdir -p "$fuzz/Crashers/$corpus"
        for artifact in "$work/$target-artifacts"/*; do
            [ -e "$artifact" ] || continue
            cp "$artifact" "$fuzz/Crashers/$corpus/"
            echo "run-fuzzers: $target failed; the input is in $fuzz/Crashers/$corpus/$(basename "$artifact") (commit it with the fix)" >&2
        done
    fi
done

if [ "$status" -ne 0 ]; then exit "$status"; fi
echo "run-fuzzers: done (${summary[*]})"
