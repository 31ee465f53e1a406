using System.CommandLine;

namespace EksHardening.Operator.Cli;

/// <summary>Options built the one way every command's flags behave.</summary>
internal static class Flags
{
    /// <summary>
    /// A flag that takes one value, checked by <paramref name="convert"/> (whose <see cref="UsageException"/> becomes the
    /// parse error). Given more than once, the last value counts, as with Kubernetes' own flags. The option holds the
    /// text (the caller converts it again): a typed <c>Option&lt;bool&gt;</c> would take <c>maybe</c> for an argument,
    /// not a bad value, and a null (<c>--fail-on none</c>) cannot come out of a typed option.
    /// </summary>
    public static Option<string> Valued<T>(string name, string valueName, string description, Func<string, T> convert, params string[] aliases) =>
        new(name, aliases)
        {
            Description = description,
            HelpName = valueName,
            Arity = ArgumentArity.OneOrMore,
            AllowMultipleArgumentsPerToken = false,
            CustomParser = result =>
            {
                var text = result.Tokens[^1].Value;
                try
                {
                    convert(text);
                }
                catch (UsageException e)
                {
                    result.AddError(e.Message);
                }

                return text;
            },
        };

    /// <summary>A flag that may be given many times, one value each time; the values in order.</summary>
    public static Option<List<string>> Repeated(string name, string valueName, string description, params string[] aliases) =>
        new(name, aliases) { Description = description, HelpName = valueName, AllowMultipleArgumentsPerToken = false };

    /// <summary>A switch: present or not, no value.</summary>
    public static Option<bool> Switch(string name, string description) => new(name) { Description = description, Arity = ArgumentArity.Zero };

    /// <summary>Whether the command line gave the option (not its default).</summary>
    public static bool Given(this ParseResult result, Option option) => result.GetResult(option) is { Implicit: false };
}
