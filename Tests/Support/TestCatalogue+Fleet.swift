import NachetSync

extension TestCatalogue {
    /// `serve`'s fleet tables in this catalogue's database, on a connection
    /// of their own (another `serve` replica opens another).
    package func openFleetStore() throws -> any FleetStore {
        try location.openFleetStore(schema: nil)
    }
}
