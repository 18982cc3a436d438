using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.Runtime.Credentials;
using BatchOps.Aws.Configuration;

namespace BatchOps.Aws.Credentials;

/// <summary>Supplies the credentials to sign each request with; refreshing credentials refresh themselves.</summary>
public interface IAwsCredentialsProvider
{
    ValueTask<ImmutableCredentials> GetCredentialsAsync(CancellationToken cancellationToken);
}

/// <summary>
/// AWSSDK.Core's credential resolution: static keys from configuration (sandbox, LocalStack), a named profile
/// (SSO included), or the default chain: environment, shared profile, web identity, ECS container
/// credentials, EC2 instance metadata. Temporary credentials are refreshed by the SDK before they expire.
/// </summary>
public sealed class AwsSdkCredentialsProvider(AwsClientOptions options) : IAwsCredentialsProvider
{
    private readonly Lazy<AWSCredentials> _credentials = new(() => Resolve(options), LazyThreadSafetyMode.ExecutionAndPublication);

    public async ValueTask<ImmutableCredentials> GetCredentialsAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return await _credentials.Value.GetCredentialsAsync().ConfigureAwait(false);
    }

    private static AWSCredentials Resolve(AwsClientOptions options)
    {
        if (!string.IsNullOrEmpty(options.AccessKeyId))
        {
            return string.IsNullOrEmpty(options.SessionToken)
                ? new BasicAWSCredentials(options.AccessKeyId, options.SecretAccessKey)
                : new SessionAWSCredentials(options.AccessKeyId, options.SecretAccessKey, options.SessionToken);
        }

        if (!string.IsNullOrEmpty(options.Profile))
        {
            return new CredentialProfileStoreChain().TryGetAWSCredentials(options.Profile, out var profileCredentials)
                ? profileCredentials
                : throw new InvalidOperationException($"AWS profile '{options.Profile}' was not found in the shared config or credentials file.");
        }

        return DefaultAWSCredentialsIdentityResolver.GetCredentials();
    }
}

/// <summary>Fixed credentials, for tests.</summary>
public sealed class StaticCredentialsProvider(ImmutableCredentials credentials) : IAwsCredentialsProvider
{
    public ValueTask<ImmutableCredentials> GetCredentialsAsync(CancellationToken cancellationToken) => ValueTask.FromResult(credentials);
}
