import Foundation

extension AzureBlobStore {
    /// List Blobs with `prefix`, a page of ``AzureUploadOptions/listPageSize``
    /// names at a time, following `NextMarker` to the end.
    ///
    /// Bounded: a page that gives back the marker it was asked with (a
    /// service or proxy misbehaving) ends the listing with an error instead
    /// of asking for it forever, and a cancelled task stops between pages.
    package func blobNames(in container: String, prefix: String) async throws(BlobStoreError) -> [String] {
        var names: [String] = []
        var marker: String?
        repeat {
            if Task.isCancelled { throw BlobStoreError(.failed, "the listing of \(container)/\(prefix) was cancelled") }
            let asked = marker
            var query = [("restype", "container"), ("comp", "list"), ("prefix", prefix), ("maxresults", String(options.listPageSize))]
            if let marker { query.append(("marker", marker)) }
            let response = try await client.send(AzureRequest(method: "GET", container: container, query: query))
            if response.status == 404 && response.errorCode == "ContainerNotFound" { return [] }
            guard response.status == 200 else { throw listingFailure(response, container: container, prefix: prefix) }
            let page = String(decoding: response.body, as: UTF8.self)
            for blob in AzureXML.values(of: "Blob", in: page) {
                if let name = AzureXML.values(of: "Name", in: blob).first { names.append(name) }
            }
            // The last page has an empty `<NextMarker />`.
            marker = AzureXML.values(of: "NextMarker", in: page).first.flatMap { $0.isEmpty ? nil : $0 }
            if let marker, marker == asked {
                throw BlobStoreError(.failed, "Azure Blob Storage gave the same page of \(container)/\(prefix) twice; the listing was abandoned, and is tried again at the next check")
            }
        } while marker != nil
        return names
    }

    /// A refused listing; a SAS without the list right says so.
    private func listingFailure(_ response: AzureResponse, container: String, prefix: String) -> BlobStoreError {
        if response.status == 403, response.errorCode == "AuthorizationPermissionMismatch",
            case .sharedAccessSignature = account.authorization
        {
            return BlobStoreError(
                .denied,
                "Azure Blob Storage refused to list \(container)/\(prefix) (403 AuthorizationPermissionMismatch); the SAS lacks the list right the datastore check needs: make one with sp=racwtl, or turn the check off (--verify-every 0)"
            )
        }
        return failure(response, doing: "list the blobs of", "\(container)/\(prefix)")
    }
}
