import Foundation
import Glibc
import Logging
import NIOCore

/// Whether the blob store is usable by the agent: for Azure, that it
/// answers, accepts the credentials, and grants the rights the agent uses
/// (read, tag, create containers, write blobs), and how far this PC's
/// clock is from the service's; for a folder, that it may be written.
///
/// **The Azure probe leaves no blob and cleans up after itself**: it
/// creates the container `nachet-sync-doctor`, stages one small uncommitted
/// block for the blob `nachet-sync-doctor/probe` (never committed, so no
/// blob appears; Azure drops uncommitted blocks within a week), asks for a
/// blob and its tags that do not exist (a 404 proves the right, a 403 its
/// absence), then deletes the container it created. The agent's SAS
/// (`sp=racwt`) has no delete right: the empty container is then left, and
/// said, and the next run finds it there.
enum BlobStoreCheck {
    /// The probe's container and blob.
    static let probeContainer = "nachet-sync-doctor"
    static let probeBlob = "probe"

    /// A clock further than this from the service's fails the check: Azure
    /// refuses requests 15 minutes off, and a SAS's start time may not have
    /// come yet on a PC running late.
    static let tolerableSkew: Double = 300

    static func run(_ location: BlobStoreLocation, limit: Duration) async -> [DoctorFinding] {
        switch location {
        case .directory(let path):
            return [folder(path)]
        case .azure(let connection):
            let account: AzureAccount
            do {
                account = try AzureAccount(parsing: connection)
            } catch {
                return [.fail("blob store", "\(error)")]
            }
            return await withTimeLimit(
                limit * 4, timedOut: [.fail("blob store", "Azure Blob Storage \(account) gave no answer within \(StoreHealth.seconds(limit * 4))")]
            ) {
                await azure(account, limit: limit)
            }
        }
    }

    // MARK: - A folder

    static func folder(_ path: String) -> DoctorFinding {
        var status = stat()
        guard stat(path, &status) == 0 else {
            guard let parent = FolderAccessCheck.nearestExisting(above: path) else {
                return .fail("blob store", "blob folder \(path): no folder above it exists; fix --blob-store or --state-dir")
            }
            if let problem = FolderAccessCheck.probeWrite(parent) {
                return .fail("blob store", "blob folder \(path) does not exist and cannot be created in \(parent) (\(problem))")
            }
            return .pass("blob store", "blob folder \(path) does not exist yet; the agent creates it (0700)")
        }
        if let problem = FolderAccessCheck.probeWrite(path) {
            return .fail("blob store", "blob folder \(path) is not writable (\(problem)); give the agent's user write rights on it")
        }
        return .pass("blob store", "blob folder \(path) is writable")
    }

    // MARK: - Azure

    static func azure(_ account: AzureAccount, limit: Duration) async -> [DoctorFinding] {
        var options = AzureUploadOptions()
        options.retry = RetryPolicy(giveUpAfter: limit, maximumAttempts: 1)
        options.requestTimeout = limit
        let quiet = Logger(label: "nachet-sync.doctor") { _ in SwiftLogNoOpLogHandler() }
        let store = AzureBlobStore(account: account, options: options, health: StoreHealth(logger: quiet), logger: quiet)
        let subject = "blob store"

        // Authentication (and the read right), and the service's clock.
        let sent = Date()
        let head: AzureResponse
        do {
            head = try await store.client.send(AzureRequest(method: "HEAD", container: probeContainer, blob: probeBlob))
        } catch {
            return [.fail(subject, "\(error)")]
        }
        let clock = skew(head, sent: sent, received: Date())
        guard head.status != 403 else {
            return [.fail(subject, store.failure(head, doing: "answer", "a request").message)] + [clock].compactMap { $0 }
        }
        var findings: [DoctorFinding] = [
            .pass(subject, "\(store.location) answers and accepts its credentials")
        ]
        if let clock { findings.append(clock) }

        // The rights, each asked with a request whose trace is removed when
        // it may be, and is invisible otherwise.
        var granted: [String] = []
        var refused: [String] = []
        /// Sends `request`; `accepted` statuses (and error codes that come
        /// only once the right was granted) prove the right. Returns the answer.
        @discardableResult
        func ask(_ right: String, _ request: AzureRequest, accepted: Set<Int>, alsoProving codes: Set<String> = []) async -> AzureResponse? {
            do {
                let response = try await store.client.send(request)
                if accepted.contains(response.status) || response.errorCode.map(codes.contains) == true {
                    granted.append(right)
                } else {
                    refused.append("\(right) (\(response.status)\(response.errorCode.map { " " + $0 } ?? ""))")
                }
                return response
            } catch {
                refused.append("\(right) (\(error))")
                return nil
            }
        }
        // A container being deleted (a doctor run a moment ago) or already
        // there answers only once the right was checked: proof enough.
        let containerStates: Set<String> = ["ContainerAlreadyExists", "ContainerBeingDeleted", "ContainerNotFound"]
        if head.status == 404 || head.status == 200 { granted.append("read") }
        await ask("tag", AzureRequest(method: "GET", container: probeContainer, blob: probeBlob, query: [("comp", "tags")]), accepted: [200, 404])
        let created = await ask(
            "create containers", AzureRequest(method: "PUT", container: probeContainer, query: [("restype", "container")]), accepted: [201],
            alsoProving: containerStates)
        let block = Data("nachet-sync doctor probe: an uncommitted block, never a blob\n".utf8)
        await ask(
            "write blobs",
            AzureRequest(
                method: "PUT", container: probeContainer, blob: probeBlob,
                query: [("comp", "block"), ("blockid", Data("nachet-sync-doctor-probe".utf8).base64EncodedString())],
                headers: [("Content-MD5", ContentMD5.base64(block))], body: AzureRequest.body(block)),
            accepted: [201], alsoProving: containerStates)
        let probe = created?.status == 201 ? await removeProbeContainer(store) : "(probe: one uncommitted block in the container \(probeContainer), which Azure drops within a week)"
        if refused.isEmpty {
            findings.append(.pass("blob store rights", "may \(granted.joined(separator: ", ")) \(probe)"))
        } else {
            findings.append(
                .fail(
                    "blob store rights",
                    "may not \(refused.joined(separator: "; ")); a SAS needs read, add, create, write and tag on containers and objects (ss=b, srt=co, sp=racwt) \(probe)"
                ))
        }
        return findings
    }

    /// Deletes the probe container this run created, with its uncommitted
    /// block; the agent's SAS has no delete right, so a refusal is said, not
    /// failed. Returns the words for the finding.
    private static func removeProbeContainer(_ store: AzureBlobStore) async -> String {
        let response = try? await store.client.send(AzureRequest(method: "DELETE", container: probeContainer, query: [("restype", "container")]))
        if response?.status == 202 { return "(probe: container \(probeContainer) and one uncommitted block, removed)" }
        return "(probe: the empty container \(probeContainer) is left, as these credentials may not delete; remove it in the portal if you like)"
    }

    /// How far this PC's clock is from the service's `Date` header, as a finding.
    static func skew(_ response: AzureResponse, sent: Date, received: Date) -> DoctorFinding? {
        guard let header = response.headers["date"], let server = httpDate(header) else { return nil }
        let local = sent.addingTimeInterval(received.timeIntervalSince(sent) / 2)
        let seconds = server.timeIntervalSince(local)
        let offset = String(format: "%.0f s", abs(seconds))
        let said =
            abs(seconds) < 1.5
            ? "agrees with Azure Blob Storage's (its Date header, to the second)"
            : "is \(offset) \(seconds > 0 ? "behind" : "ahead of") Azure Blob Storage's"
        guard abs(seconds) < tolerableSkew else {
            return .fail(
                "clock", "this PC's clock \(said): Azure refuses requests 15 minutes off; set the time (`timedatectl set-ntp true`)")
        }
        return .pass("clock", "this PC's clock \(said)")
    }

    /// An RFC 1123 date (`Tue, 25 Nov 2026 06:10:03 GMT`).
    static func httpDate(_ text: String) -> Date? {
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let words = text.split(separator: " ")
        guard words.count == 6, words[5] == "GMT", let day = Int32(words[1]), let month = months.firstIndex(of: String(words[2])),
            let year = Int32(words[3])
        else { return nil }
        let time = words[4].split(separator: ":").compactMap { Int32($0) }
        guard time.count == 3 else { return nil }
        var parts = tm()
        (parts.tm_year, parts.tm_mon, parts.tm_mday) = (year - 1900, Int32(month), day)
        (parts.tm_hour, parts.tm_min, parts.tm_sec) = (time[0], time[1], time[2])
        return Date(timeIntervalSince1970: TimeInterval(timegm(&parts)))
    }
}
