extension Int {
    /// `self + other`, or `Int.max` / `Int.min` where the sum would overflow: for counts that
    /// come from outside (an upstream's token counts, a report file), which must never trap.
    public func saturatingAdd(_ other: Int) -> Int {
        let (sum, overflow) = addingReportingOverflow(other)
        guard overflow else { return sum }
        return other > 0 ? .max : .min
    }
}
