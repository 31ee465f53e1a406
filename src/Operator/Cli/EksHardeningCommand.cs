using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;

namespace EksHardening.Operator.Cli;

/// <summary>
/// <c>eks-hardening</c>: the verbs <c>run</c>, <c>scan</c> and <c>version</c> on System.CommandLine. A command line
/// that does not parse exits 2 with one line naming the flag (never a stack trace); <c>--help</c> works on every verb.
/// </summary>
public static class EksHardeningCommand
{
    public const string Name = "eks-hardening";

    /// <summary>No response files: a manifest path may start with '@'.</summary>
    internal static ParserConfiguration ParserConfiguration { get; } = new() { ResponseFileTokenReplacer = null };

    /// <summary>Parses <paramref name="args"/> and runs the command they name; the exit code.</summary>
    public static async Task<int> InvokeAsync(IReadOnlyList<string> args, CommandIo io)
    {
        var (result, usageError) = Parse(args, io);
        return usageError ?? await result.InvokeAsync(Invocation(io)).ConfigureAwait(false);
    }

    /// <summary>As <see cref="InvokeAsync"/>, for the commands that do not wait (scan, version).</summary>
    public static int Invoke(IReadOnlyList<string> args, CommandIo io)
    {
        var (result, usageError) = Parse(args, io);
        return usageError ?? result.Invoke(Invocation(io));
    }

    /// <summary>The parse, or the usage error's exit code once the error is written.</summary>
    private static (ParseResult Result, int? UsageError) Parse(IReadOnlyList<string> args, CommandIo io)
    {
        var help = new HelpPages();
        var root = Create(io, help);
        var result = root.Parse(args, ParserConfiguration);
        if (result.Errors.Count == 0 || result.Action is HelpPages) return (result, null);
        var command = result.CommandResult.Command;
        if (command == root)
        {
            // An unknown verb: what there is to choose from, on stderr.
            io.Error.WriteLine($"{Name}: {Describe(result, verbs: true)}");
            io.Error.Write(help.Render(root));
        }
        else
        {
            io.Error.WriteLine($"{Name} {command.Name}: {Describe(result, help.ArgumentHint(command))}");
            io.Error.WriteLine($"Run '{Name} {command.Name} --help' for usage.");
        }

        return (result, ExitCodes.Usage);
    }

    // SIGTERM and Ctrl+C are the host's to handle (a graceful drain), not the parser's; exceptions are the commands' own.
    private static InvocationConfiguration Invocation(CommandIo io) => new()
    {
        Output = io.Out,
        Error = io.Error,
        ProcessTerminationTimeout = null,
        EnableDefaultExceptionHandler = false,
    };

    private static RootCommand Create(CommandIo io, HelpPages help)
    {
        var root = new RootCommand("Checks the customer's side of the AWS Shared Responsibility Model on EKS.");
        foreach (var option in root.Options.ToList())
        {
            if (option is VersionOption) root.Options.Remove(option);
            else if (option is HelpOption helpOption) helpOption.Action = help;
        }

        var version = new Command("version", "print the version");
        version.SetAction(_ => Version(io));
        var versionFlag = new Option<bool>("--version") { Description = "print the version", Arity = ArgumentArity.Zero, Hidden = true };
        root.Add(versionFlag);
        root.SetAction(result =>
        {
            if (result.GetValue(versionFlag)) return Version(io);
            io.Error.Write(help.Render(root));
            return ExitCodes.Usage;
        });

        var run = RunCommand.Create(io, help);
        var scan = ScanCommand.Create(io, help);
        // 'eks-hardening help' as before: the root's help.
        var helpVerb = new Command("help", "show this help") { Hidden = true };
        helpVerb.SetAction(_ =>
        {
            io.Out.Write(help.Render(root));
            return ExitCodes.Success;
        });
        root.Add(run);
        root.Add(scan);
        root.Add(version);
        root.Add(helpVerb);
        help.Add(root, new HelpPage($"Usage: {Name} <command> [flags]", root.Description!, [])
        {
            Commands = [run, scan, version],
        });
        help.Add(version, new HelpPage($"Usage: {Name} version", "Prints the version.", []));
        help.Add(helpVerb, new HelpPage($"Usage: {Name} help", "Prints the list of commands.", []));
        return root;
    }

    private static int Version(CommandIo io)
    {
        io.Out.WriteLine($"{Name} {VersionInfo.Version}");
        return ExitCodes.Success;
    }

    /// <summary>The first thing wrong with the command line, in one line that names the flag or argument.</summary>
    /// <param name="argumentHint">Added to the message for an unexpected argument, e.g. where inputs go instead.</param>
    /// <param name="verbs">The unmatched word was meant as a command.</param>
    internal static string Describe(ParseResult result, string? argumentHint = null, bool verbs = false)
    {
        var error = result.Errors[0];
        if (error.SymbolResult is OptionResult { Tokens.Count: 0 } missing && missing.Option.Arity.MinimumNumberOfValues > 0)
        {
            var typed = result.Tokens.LastOrDefault(t => t.Type == TokenType.Option && (t.Value == missing.Option.Name || missing.Option.Aliases.Contains(t.Value)));
            return $"{typed?.Value ?? missing.Option.Name} needs a value";
        }

        if (error.SymbolResult is OptionResult) return error.Message;
        if (result.UnmatchedTokens is [var token, ..])
        {
            return token.StartsWith('-') ? $"unknown flag {token}" : verbs ? $"unknown command '{token}'" : $"unexpected argument '{token}'{argumentHint}";
        }

        return error.Message;
    }
}
