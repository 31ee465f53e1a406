using System.CommandLine;

namespace EksHardening.Operator.Cli;

/// <summary>
/// A flag that also reads an environment variable: the flag wins when given; else a non-empty variable sets the
/// value, read with the flag's own syntax; else the target keeps its default. The help names the variable.
/// </summary>
internal abstract class EnvironmentFlag<TTarget>(string? variable)
{
    /// <summary>The variable that sets this flag's value when the flag is not given; null: none.</summary>
    public string? Variable { get; } = variable;

    public abstract Option Option { get; }

    /// <summary>Sets the flag's value on <paramref name="target"/>, if the flag or its variable gives one.</summary>
    /// <exception cref="UsageException">The variable's value does not read; the message names the flag and the variable.</exception>
    public abstract void Apply(ParseResult result, Func<string, string?> environment, TTarget target);

    public static EnvironmentFlag<TTarget> Create<TValue>(string name, string valueName, string? variable, string description,
        Func<string, TValue> convert, Action<TTarget, TValue> apply) =>
        new Typed<TValue>(name, valueName, variable, description, convert, apply);

    private sealed class Typed<TValue>(string name, string valueName, string? variable, string description, Func<string, TValue> convert,
        Action<TTarget, TValue> apply) : EnvironmentFlag<TTarget>(variable)
    {
        private readonly Option<string> _option =
            Flags.Valued(name, valueName, variable is null ? description : $"{description} [{variable}]", convert);

        public override Option Option => _option;

        public override void Apply(ParseResult result, Func<string, string?> environment, TTarget target)
        {
            if (result.Given(_option))
            {
                apply(target, convert(result.GetValue(_option)!));
                return;
            }

            if (Variable is null || environment(Variable) is not { Length: > 0 } text) return;
            TValue value;
            try
            {
                value = convert(text);
            }
            catch (UsageException e)
            {
                throw new UsageException($"{e.Message} (from {Variable})");
            }

            apply(target, value);
        }
    }
}
