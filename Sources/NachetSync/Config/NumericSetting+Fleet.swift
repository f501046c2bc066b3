/// How `serve`'s fleet page judges its lab PCs (docs/serve.md, "The fleet").
extension NumericSetting {
    /// Seconds a lab PC may go without a request before the fleet calls it
    /// quiet: a second to a week.
    public static let serveFleetQuietAfter = NumericSetting(
        variable: "NACHET_SYNC_SERVE_FLEET_QUIET_AFTER", flag: "--fleet-quiet-after", range: 1...604_800, isWholeNumber: false,
        unit: "seconds", example: "600",
        summary:
            "seconds a lab PC may go without a request before `serve`'s fleet page calls it quiet: red with files waiting, else amber (default 600)"
    )
}
