import Foundation

/// The seeds a fresh Nachet database knows.
package enum DefaultSeeds {
    /// Their names, in Nachet's order.
    package static let names = [
        "Brassica napus", "Brassica juncea", "Cirsium arvense", "Cirsium vulgare", "Carduus nutans",
        "Bromus secalinus", "Bromus hordeaceus", "Bromus japonicus", "Lolium temulentum",
        "Solanum carolinense", "Solanum nigrum", "Solanum rostratum", "Ambrosia artemisiifolia",
        "Ambrosia trifida", "Ambrosia psilostachya",
    ]

    /// `object_type_id` of seeds in Nachet's `object_type` table.
    package static let seedObjectTypeID = 1
}
