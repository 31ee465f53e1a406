namespace EksHardening.Operator.Cli;

/// <summary>
/// Writes a report file whole or not at all: into a temporary file beside it, then renamed over it, so that a CI step
/// reading it never sees half a report (an interrupted scan leaves the previous file, or none).
/// </summary>
internal static class ReportFile
{
    /// <exception cref="UsageException">The file cannot be written; the message names it.</exception>
    public static void Write(string path, Action<TextWriter> write)
    {
        var full = Path.GetFullPath(path);
        var temporary = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var writer = new StreamWriter(temporary, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)))
            {
                write(writer);
            }

            File.Move(temporary, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"--output-file {path}: cannot write: {e.Message}");
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
