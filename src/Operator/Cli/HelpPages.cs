using System.CommandLine;
using System.CommandLine.Invocation;

namespace EksHardening.Operator.Cli;

/// <summary>A group of flags in a command's help, under an optional heading.</summary>
internal sealed record HelpSection(string? Title, IReadOnlyList<Option> Options);

/// <summary>What <c>--help</c> prints for one command: its usage line, what it does, its flags (or verbs), a closing note.</summary>
internal sealed record HelpPage(string Usage, string Description, IReadOnlyList<HelpSection> Sections, string? Footer = null)
{
    public IReadOnlyList<Command> Commands { get; init; } = [];

    /// <summary>Said after "unexpected argument 'x'" for this command, e.g. where its inputs go instead.</summary>
    public string? ArgumentHint { get; init; }

    /// <summary>Command lines with what each does, shown under "Examples:" after the flags.</summary>
    public IReadOnlyList<HelpExample> Examples { get; init; } = [];
}

/// <summary>One example of a command's help: what it does (a comment line) and the command line.</summary>
internal sealed record HelpExample(string Purpose, string CommandLine);

/// <summary>
/// The <c>--help</c> of every command, written from the same options the parser reads (names, value names,
/// descriptions with their variables), laid out as a two-column page at a fixed width so that it reads the same on
/// every terminal and in tests.
/// </summary>
internal sealed class HelpPages : SynchronousCommandLineAction
{
    private const int Width = 118;
    private const int Indent = 2;
    private const int DescriptionColumn = 29;
    private readonly Dictionary<Command, HelpPage> _pages = [];

    public void Add(Command command, HelpPage page) => _pages[command] = page;

    public string? ArgumentHint(Command command) => _pages.GetValueOrDefault(command)?.ArgumentHint;

    public override int Invoke(ParseResult parseResult)
    {
        parseResult.InvocationConfiguration.Output.Write(Render(parseResult.CommandResult.Command));
        return ExitCodes.Success;
    }

    public string Render(Command command)
    {
        var page = _pages[command];
        var text = new StringBuilder();
        text.Append(page.Usage).Append("\n\n").Append(page.Description).Append('\n');
        var indentShort = page.Sections.SelectMany(s => s.Options).Any(o => ShortAlias(o) is not null);
        foreach (var section in page.Sections)
        {
            text.Append('\n');
            if (section.Title is not null) text.Append(section.Title).Append('\n');
            foreach (var option in section.Options.Where(o => !o.Hidden)) Row(text, FirstColumn(option, indentShort), option.Description ?? "");
        }

        if (page.Commands.Count > 0)
        {
            text.Append("\nCommands:\n");
            foreach (var verb in page.Commands.Where(c => !c.Hidden)) Row(text, verb.Name, verb.Description ?? "");
        }

        text.Append('\n');
        Row(text, "-h, --help", "show this help");
        if (page.Examples.Count > 0)
        {
            text.Append("\nExamples:\n");
            foreach (var example in page.Examples)
            {
                foreach (var line in Wrap(example.Purpose, Width - Indent - 2)) text.Append(' ', Indent).Append("# ").Append(line).Append('\n');
                text.Append(' ', Indent).Append(example.CommandLine).Append("\n\n");
            }

            text.Length--;
        }

        if (page.Footer is not null) text.Append('\n').Append(page.Footer).Append('\n');
        return text.ToString();
    }

    /// <summary><c>-f, --filename PATH</c>: the short alias, the name, the value's name; long names line up under each other.</summary>
    private static string FirstColumn(Option option, bool indentShort)
    {
        var names = ShortAlias(option) is { } alias ? $"{alias}, {option.Name}" : indentShort ? $"    {option.Name}" : option.Name;
        return option.Arity.MaximumNumberOfValues == 0 || string.IsNullOrEmpty(option.HelpName) ? names : $"{names} {option.HelpName}";
    }

    private static string? ShortAlias(Option option) =>
        option.Aliases.FirstOrDefault(a => a.Length == 2 && a[0] == '-' && a[1] != '-');

    private static void Row(StringBuilder text, string first, string description)
    {
        var lines = Wrap(description, Width - DescriptionColumn);
        var head = new string(' ', Indent) + first;
        if (head.Length + 1 > DescriptionColumn)
        {
            text.Append(head).Append('\n');
            head = "";
        }

        for (var i = 0; i < lines.Count; i++)
        {
            text.Append((i == 0 ? head : "").PadRight(DescriptionColumn)).Append(lines[i]).Append('\n');
        }

        if (lines.Count == 0 && head.Length > 0) text.Append(head).Append('\n');
    }

    private static List<string> Wrap(string text, int width)
    {
        var lines = new List<string>();
        var line = new StringBuilder();
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > width)
            {
                lines.Add(line.ToString());
                line.Clear();
            }

            if (line.Length > 0) line.Append(' ');
            line.Append(word);
        }

        if (line.Length > 0) lines.Add(line.ToString());
        return lines;
    }
}
