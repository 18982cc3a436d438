namespace BatchOps.AwsModelGen;

/// <summary>Every generated file and its content; the tests compare these with what is committed.</summary>
public static class Generation
{
    public static List<(string Path, string Content)> Outputs(string root, string shared)
    {
        var outputs = new List<(string Path, string Content)>();
        foreach (var spec in ServiceSpecs.All)
        {
            outputs.Add((Path.Combine(root, spec.OutputFile), ServiceGenerator.Generate(spec, shared)));
        }

        outputs.AddRange(ProtocolTestGenerator.Generate(shared, Path.Combine(root, "tests", "Aws.Tests", "Protocol", "Generated")));
        return outputs;
    }
}
