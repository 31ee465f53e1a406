namespace EksHardening.Operator.Testing.Theories;

/// <summary>
/// One row of a table-driven theory, serializable so that xunit discovers every row as its own test case: a row
/// xunit cannot serialize folds the whole table into one test in discovery and reports. The row's values travel as
/// JSON, so <typeparamref name="T"/> is a record of plain values; its <c>ToString</c> names the case.
/// </summary>
public sealed class TheoryCase<T> : IXunitSerializable where T : notnull
{
    /// <summary>For xunit's deserializer only.</summary>
    public TheoryCase()
    {
    }

    public TheoryCase(T value) => Value = value;

    public T Value { get; private set; } = default!;

    public void Serialize(IXunitSerializationInfo info) => info.AddValue(nameof(Value), JsonSerializer.Serialize(Value));

    public void Deserialize(IXunitSerializationInfo info) =>
        Value = JsonSerializer.Deserialize<T>(info.GetValue<string>(nameof(Value)))
            ?? throw new InvalidOperationException($"a {typeof(T).Name} row deserialized to null");

    public override string ToString() => Value.ToString() ?? typeof(T).Name;
}

/// <summary>Builds the member data of a table-driven theory from its rows.</summary>
public static class TheoryCases
{
    public static TheoryData<TheoryCase<T>> Of<T>(IEnumerable<T> rows) where T : notnull
    {
        var data = new TheoryData<TheoryCase<T>>();
        foreach (var row in rows) data.Add(new TheoryCase<T>(row));
        return data;
    }

    /// <summary>The rows of a table built by <see cref="Of{T}"/>.</summary>
    public static IReadOnlyList<T> Rows<T>(TheoryData<TheoryCase<T>> data) where T : notnull =>
        [.. ((IEnumerable<object[]>)data).Select(row => ((TheoryCase<T>)row[0]).Value)];
}
