namespace EksHardening.ApiEmulator.Tests;

public class SmokeTests : EmulatorTest
{
    [Fact]
    public async Task A_pod_can_be_created_and_read_back_through_the_real_client()
    {
        var created = await Client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("web"), "default");
        var read = await Client.CoreV1.ReadNamespacedPodAsync("web", "default");
        Assert.Equal(created.Metadata.Uid, read.Metadata.Uid);
        Assert.Equal("Pending", read.Status.Phase);
    }
}
