import Foundation

/// What the benchmarks ran on, for the results table.
struct MachineInfo: Codable, Sendable {
    var cpu: String
    var cores: Int
    var memoryGiB: Double
    var kernel: String
    var swift: String
    var curl: String
    var python: String
    var openaiSDK: String

    static func read(python: String?) -> MachineInfo {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let cpu = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .map { String($0.split(separator: ":", maxSplits: 1)[1]).trimmingCharacters(in: .whitespaces) } ?? "unknown"
        let memKB = ProcStatus.field("MemTotal", file: "/proc/meminfo") ?? 0
        let kernel = (try? String(contentsOfFile: "/proc/sys/kernel/osrelease", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? "unknown"
        func firstLine(_ args: [String]) -> String {
            guard let r = try? Child.run(args, timeout: 30) else { return "not found" }
            return (r.stdout + r.stderr).split(separator: "\n").first.map(String.init) ?? "unknown"
        }
        var py = "not found", sdk = "not found"
        if let python {
            py = firstLine([python, "--version"])
            sdk = firstLine([python, "-c", "import openai; print(openai.__version__)"])
        }
        return MachineInfo(cpu: cpu, cores: ProcessInfo.processInfo.activeProcessorCount,
                           memoryGiB: (Double(memKB) / 1_048_576 * 10).rounded() / 10, kernel: kernel,
                           swift: firstLine(["swift", "--version"]), curl: firstLine(["curl", "--version"]),
                           python: py, openaiSDK: sdk)
    }
}

/// The 1-, 5- and 15-minute load averages.
struct LoadAverage: Codable, Sendable, CustomStringConvertible {
    var one: Double
    var five: Double
    var fifteen: Double

    static func read() -> LoadAverage {
        let parts = ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "")
            .split(separator: " ").prefix(3).compactMap { Double($0) }
        guard parts.count == 3 else { return LoadAverage(one: -1, five: -1, fifteen: -1) }
        return LoadAverage(one: parts[0], five: parts[1], fifteen: parts[2])
    }

    var description: String { String(format: "%.2f %.2f %.2f", one, five, fifteen) }
}

/// Fields of `/proc/PID/status` (kB).
enum ProcStatus {
    static func field(_ name: String, file: String) -> Int? {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(name + ":") {
            return Int(line.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces).split(separator: " ")[0])
        }
        return nil
    }

    /// Resident set size now, kB.
    static func rssKB(pid: Int32? = nil) -> Int? {
        field("VmRSS", file: "/proc/\(pid.map(String.init) ?? "self")/status")
    }

    /// Peak resident set size, kB.
    static func peakKB(pid: Int32? = nil) -> Int? {
        field("VmHWM", file: "/proc/\(pid.map(String.init) ?? "self")/status")
    }
}

/// Monotonic seconds.
func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
