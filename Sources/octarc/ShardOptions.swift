import Archive
import ArgumentParser
import Foundation

/// `--plan P --shard K`: the part of an `octarc plan` that this process works on (convert, restore,
/// verify), as a Slurm array task or a Kubernetes indexed pod runs it.
struct ShardOptions: ParsableArguments {
    @Option(name: .long, help: "A plan.json from `octarc plan`: work on one shard of it (needs --shard).")
    var plan: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The shard of --plan to work on, 0 to N-1 (in a Slurm array: $SLURM_ARRAY_TASK_ID; Kubernetes: $JOB_COMPLETION_INDEX).",
            valueName: "K"))
    var shard: Int?

    /// A plan that was read, and the shard of it to work on.
    struct Selection {
        var url: URL
        var plan: ShardPlan
        var shard: Int
    }

    /// Checks that --plan and --shard come together, and that `positional` is given exactly when
    /// they are not (`what` names it in the message).
    func validate(archive positional: String?, what: String) throws {
        try validate()
        if plan != nil, positional != nil {
            throw ValidationError("with --plan, the \(what) is the plan's; leave out \(positional!)")
        }
        if plan == nil, positional == nil { throw ValidationError("give the \(what), or --plan and --shard") }
    }

    /// Checks that --plan and --shard come together.
    func validate() throws {
        if (plan == nil) != (shard == nil) { throw ValidationError("--plan and --shard go together") }
        if let shard, shard < 0 { throw ValidationError("--shard takes 0 to N-1, not \(shard)") }
    }

    /// The plan and shard, when given (the plan read, the shard checked against it).
    func selection() throws -> Selection? {
        guard let plan, let shard else { return nil }
        let url = URL(fileURLWithPath: plan)
        let read = try ShardPlan.read(from: url)
        try read.check(shard: shard)
        return Selection(url: url, plan: read, shard: shard)
    }
}
