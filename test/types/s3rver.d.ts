// s3rver ships no types: the loopback S3 server of test/unit/report/publish.test.ts
declare module 's3rver';
