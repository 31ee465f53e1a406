namespace EksHardening.ApiEmulator.Tests;

/// <summary>Chunked lists with limit and continue.</summary>
public class PaginationTests : EmulatorTest
{
    [Fact]
    public async Task Limit_and_continue_walk_every_object_exactly_once_in_name_order()
    {
        for (var i = 0; i < 23; i++)
        {
            Emulator.Seed(Objects.ConfigMap($"cm-{i:D2}"));
        }

        var names = new List<string>();
        string? token = null;
        var pages = 0;
        string? firstVersion = null;
        do
        {
            var page = await Client.CoreV1.ListNamespacedConfigMapAsync("default", limit: 5, continueParameter: token);
            firstVersion ??= page.Metadata.ResourceVersion;
            Assert.Equal(firstVersion, page.Metadata.ResourceVersion);
            Assert.True(page.Items.Count <= 5);
            names.AddRange(page.Items.Select(c => c.Name()));
            token = page.Metadata.ContinueProperty;
            pages++;
        }
        while (!string.IsNullOrEmpty(token));

        Assert.Equal(5, pages);
        Assert.Equal(Enumerable.Range(0, 23).Select(i => $"cm-{i:D2}"), names);
    }

    [Fact]
    public async Task The_last_page_has_no_continue_token()
    {
        Emulator.Seed(Objects.ConfigMap("a"));
        Emulator.Seed(Objects.ConfigMap("b"));
        var page = await Client.CoreV1.ListNamespacedConfigMapAsync("default", limit: 2);
        Assert.Equal(2, page.Items.Count);
        Assert.Null(page.Metadata.ContinueProperty);
    }

    [Fact]
    public async Task Pagination_applies_after_selectors()
    {
        for (var i = 0; i < 10; i++)
        {
            Emulator.Seed(Objects.ConfigMap($"cm-{i}", labels: Objects.Labels(("even", (i % 2 == 0).ToString()))));
        }

        var first = await Client.CoreV1.ListNamespacedConfigMapAsync("default", limit: 3, labelSelector: "even=True");
        var second = await Client.CoreV1.ListNamespacedConfigMapAsync("default", limit: 3, labelSelector: "even=True", continueParameter: first.Metadata.ContinueProperty);
        Assert.Equal(["cm-0", "cm-2", "cm-4", "cm-6", "cm-8"], first.Items.Concat(second.Items).Select(c => c.Name()));
        Assert.Null(second.Metadata.ContinueProperty);
    }

    [Fact]
    public async Task A_garbled_continue_token_is_400_BadRequest()
    {
        await ApiAssert.FailsWith(HttpStatusCode.BadRequest, () => Client.CoreV1.ListNamespacedConfigMapAsync("default", continueParameter: "not-a-token"));
    }

    [Fact]
    public async Task A_continue_token_older_than_the_history_window_is_410_Expired()
    {
        for (var i = 0; i < 4; i++)
        {
            Emulator.Seed(Objects.ConfigMap($"cm-{i}"));
        }

        var first = await Client.CoreV1.ListNamespacedConfigMapAsync("default", limit: 2);
        Emulator.Seed(Objects.ConfigMap("later"));
        Emulator.Faults.CompactHistory();
        var status = await ApiAssert.FailsWith(HttpStatusCode.Gone,
            () => Client.CoreV1.ListNamespacedConfigMapAsync("default", limit: 2, continueParameter: first.Metadata.ContinueProperty));
        Assert.Equal("Expired", status.Reason);
    }

    [Fact]
    public async Task Listing_all_namespaces_pages_across_namespace_boundaries()
    {
        Emulator.Seed(Objects.ConfigMap("x", "default"));
        Emulator.Seed(Objects.ConfigMap("y", "kube-public"));
        Emulator.Seed(Objects.ConfigMap("z", "kube-system"));
        var first = await Client.CoreV1.ListConfigMapForAllNamespacesAsync(limit: 2);
        var second = await Client.CoreV1.ListConfigMapForAllNamespacesAsync(limit: 2, continueParameter: first.Metadata.ContinueProperty);
        Assert.Equal(["x", "y", "z"], first.Items.Concat(second.Items).Select(c => c.Name()));
    }
}
