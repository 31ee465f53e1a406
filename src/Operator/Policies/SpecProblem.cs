namespace EksHardening.Operator.Policies;

/// <summary>One thing wrong with a policy: the field (e.g. <c>spec.exemptions[1].rules</c>) and what is wrong with it.</summary>
public sealed record SpecProblem(string Path, string Message)
{
    public override string ToString() => Path.Length == 0 ? Message : $"{Path}: {Message}";
}
