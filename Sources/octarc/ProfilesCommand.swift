import ArgumentParser
import Codec
import Foundation

struct ProfilesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profiles",
        abstract: "List the codec profiles, what each is measured to give, and validate their files.")

    @Argument(help: "Show this profile only, in detail.")
    var name: String?

    @Option(name: .long, help: ProfileFolders.help)
    var profiles: String?

    func run() throws {
        let library = try ProfileFolders.library(explicit: profiles)
        let names = name.map { [$0] } ?? library.names()
        guard !names.isEmpty else {
            throw ValidationError("no profiles found in \(library.folders.map(\.path).joined(separator: ", "))")
        }
        var invalid = 0
        for name in names {
            do {
                let profile = try library.load(name)
                print(
                    ProfileSummary(profile).text(
                        detailed: self.name != nil, isDefault: name == ConvertCommand.defaultProfile))
            } catch {
                invalid += 1
                print("\(name): INVALID: \(error)")
            }
        }
        if invalid > 0 { throw ExitCode(1) }
    }
}
