using System.Net.Http.Headers;

namespace EksHardening.ApiEmulator.Tests;

/// <summary>Server-side printing: the Table a client such as <c>kubectl get</c> asks for.</summary>
public class TableTests : EmulatorTest
{
    private const string KubectlAccept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    protected override void Configure(ApiEmulatorOptions options) => options.TimeProvider = new ManualTimeProvider(Now);

    public override async Task InitializeAsyncCore()
    {
        var crd = JsonNode.Parse("""
            {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"widgets.example.io"},
             "spec":{"group":"example.io","scope":"Cluster","names":{"plural":"widgets","kind":"Widget"},
              "versions":[{"name":"v1","served":true,"storage":true,"subresources":{"status":{}},
               "schema":{"openAPIV3Schema":{"type":"object","x-kubernetes-preserve-unknown-fields":true}},
               "additionalPrinterColumns":[
                 {"name":"Size","type":"integer","jsonPath":".spec.size"},
                 {"name":"Ready","type":"string","jsonPath":".status.conditions[?(@.type==\"Ready\")].status"},
                 {"name":"Reason","type":"string","priority":1,"jsonPath":".status.conditions[?(@.type==\"Ready\")].reason"},
                 {"name":"Seen","type":"date","jsonPath":".status.seen"}]}]}}
            """)!.AsObject();
        Emulator.Seed(crd);
        Emulator.Seed(JsonNode.Parse("""
            {"apiVersion":"example.io/v1","kind":"Widget","metadata":{"name":"big","creationTimestamp":"2026-11-28T10:00:00Z"},
             "spec":{"size":7},"status":{"seen":"2026-11-28T11:55:00Z","conditions":[{"type":"Ready","status":"True","reason":"Fine"}]}}
            """)!.AsObject());
        Emulator.Seed(JsonNode.Parse("""{"apiVersion":"example.io/v1","kind":"Widget","metadata":{"name":"new"},"spec":{}}""")!.AsObject());
        await Task.CompletedTask;
    }

    [Fact]
    public async Task A_custom_resource_list_is_a_table_of_its_printer_columns_with_typed_cells()
    {
        var table = await GetTableAsync("/apis/example.io/v1/widgets");

        Assert.Equal("Table", table["kind"]!.GetValue<string>());
        Assert.Equal("meta.k8s.io/v1", table["apiVersion"]!.GetValue<string>());
        var columns = table["columnDefinitions"]!.AsArray();
        Assert.Equal(["Name", "Size", "Ready", "Reason", "Seen"], columns.Select(c => c!["name"]!.GetValue<string>()));
        Assert.Equal("name", columns[0]!["format"]!.GetValue<string>());
        Assert.Equal(1, columns[3]!["priority"]!.GetValue<int>());

        var big = table["rows"]!.AsArray().Single(r => r!["cells"]![0]!.GetValue<string>() == "big")!["cells"]!.AsArray();
        Assert.Equal(7, big[1]!.GetValue<long>());
        Assert.Equal("True", big[2]!.GetValue<string>());
        Assert.Equal("Fine", big[3]!.GetValue<string>());
        Assert.Equal("5m", big[4]!.GetValue<string>());

        var fresh = table["rows"]!.AsArray().Single(r => r!["cells"]![0]!.GetValue<string>() == "new")!["cells"]!.AsArray();
        Assert.All(fresh.Skip(1), Assert.Null);
    }

    [Fact]
    public async Task Rows_carry_partial_object_metadata_unless_asked_for_the_object_or_nothing()
    {
        var metadataOnly = (await GetTableAsync("/apis/example.io/v1/widgets/big"))["rows"]![0]!["object"]!;
        Assert.Equal("PartialObjectMetadata", metadataOnly["kind"]!.GetValue<string>());
        Assert.Null(metadataOnly["spec"]);
        Assert.Equal("big", metadataOnly["metadata"]!["name"]!.GetValue<string>());

        var whole = (await GetTableAsync("/apis/example.io/v1/widgets/big?includeObject=Object"))["rows"]![0]!["object"]!;
        Assert.Equal(7, whole["spec"]!["size"]!.GetValue<int>());

        Assert.Null((await GetTableAsync("/apis/example.io/v1/widgets/big?includeObject=None"))["rows"]![0]!["object"]);
    }

    [Fact]
    public async Task A_crd_built_in_code_with_long_numbers_keeps_its_printer_column_priorities()
    {
        // Objects built in code (or converted from typed models) hold numbers as long, not as parsed JSON.
        var column = new JsonObject { ["name"] = "Detail", ["type"] = "string", ["jsonPath"] = ".spec.detail", ["priority"] = JsonValue.Create(1L) };
        var version = new JsonObject { ["name"] = "v1", ["served"] = true, ["storage"] = true, ["additionalPrinterColumns"] = new JsonArray(column) };
        Emulator.Seed(new JsonObject
        {
            ["apiVersion"] = "apiextensions.k8s.io/v1", ["kind"] = "CustomResourceDefinition",
            ["metadata"] = new JsonObject { ["name"] = "gadgets.example.io" },
            ["spec"] = new JsonObject
            {
                ["group"] = "example.io", ["scope"] = "Cluster",
                ["names"] = new JsonObject { ["plural"] = "gadgets", ["kind"] = "Gadget" }, ["versions"] = new JsonArray(version),
            },
        });
        Emulator.Seed(JsonNode.Parse("""{"apiVersion":"example.io/v1","kind":"Gadget","metadata":{"name":"g"},"spec":{"detail":"x"}}""")!.AsObject());

        var columns = (await GetTableAsync("/apis/example.io/v1/gadgets"))["columnDefinitions"]!.AsArray();

        Assert.Equal(1, columns.Single(c => c!["name"]!.GetValue<string>() == "Detail")!["priority"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_built_in_resource_prints_name_and_age()
    {
        Emulator.Seed(new V1Namespace { Metadata = new V1ObjectMeta { Name = "shop", CreationTimestamp = Now.AddDays(-3).UtcDateTime } });

        var table = await GetTableAsync("/api/v1/namespaces");

        Assert.Equal(["Name", "Age"], table["columnDefinitions"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()));
        var shop = table["rows"]!.AsArray().Single(r => r!["cells"]![0]!.GetValue<string>() == "shop")!;
        Assert.Equal("3d", shop["cells"]![1]!.GetValue<string>());
    }

    [Fact]
    public async Task Without_the_table_media_type_the_list_is_served_as_usual()
    {
        using var http = new HttpClient();
        var list = JsonNode.Parse(await http.GetStringAsync(Emulator.BaseUrl + "/apis/example.io/v1/widgets"))!;
        Assert.Equal("WidgetList", list["kind"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(-5, "<invalid>")]
    [InlineData(0, "0s")]
    [InlineData(119, "119s")]
    [InlineData(125, "2m5s")]
    [InlineData(600, "10m")]
    [InlineData(3 * 3600 + 60, "3h1m")]
    [InlineData(8 * 3600, "8h")]
    [InlineData(50 * 3600, "2d2h")]
    [InlineData(10 * 86400, "10d")]
    [InlineData(800 * 86400, "2y70d")]
    [InlineData(9 * 365 * 86400, "9y")]
    public void Ages_print_as_the_api_server_prints_them(int seconds, string expected) =>
        Assert.Equal(expected, TableRendering.HumanDuration(TimeSpan.FromSeconds(seconds)));

    private async Task<JsonObject> GetTableAsync(string path)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, Emulator.BaseUrl + path);
        request.Headers.Accept.ParseAdd(KubectlAccept);
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        Assert.Equal(new MediaTypeHeaderValue("application/json").MediaType, response.Content.Headers.ContentType?.MediaType);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }
}
