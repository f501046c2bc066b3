/// How the Azure blob store sends bytes.
package struct AzureUploadOptions: Sendable {
    /// Files up to this size go in one Put Blob; larger ones in blocks.
    package var singlePutLimit: Int
    /// The size of each block of a block upload.
    package var blockSize: Int
    /// Blocks sent at the same time, by one file and by all the files the
    /// store uploads in parallel together: memory held for blocks is at most
    /// `blockSize × blocksInFlight`, whatever the files' sizes and number.
    package var blocksInFlight: Int
    /// Read each committed blob back and compare its SHA-256 before the
    /// picture counts as stored (`--verify`).
    package var verifyByReadingBack: Bool
    /// How a failed request is retried: a backoff from half a second to 30 s,
    /// with full jitter, until the give-up time (`--give-up-after`).
    package var retry: RetryPolicy
    /// How long one request may take before it is abandoned and retried.
    package var requestTimeout: Duration
    /// Blob names asked for per List Blobs request (the service's maximum,
    /// 5,000, unless a test wants pages).
    package var listPageSize = 5_000

    package init(
        singlePutLimit: Int = 8 << 20,
        blockSize: Int = 2 << 20,
        blocksInFlight: Int = 4,
        verifyByReadingBack: Bool = false,
        retry: RetryPolicy = RetryPolicy(maximumDelay: .seconds(30)),
        requestTimeout: Duration = .seconds(120)
    ) {
        self.singlePutLimit = singlePutLimit
        self.blockSize = blockSize
        self.blocksInFlight = blocksInFlight
        self.verifyByReadingBack = verifyByReadingBack
        self.retry = retry
        self.requestTimeout = requestTimeout
    }
}
