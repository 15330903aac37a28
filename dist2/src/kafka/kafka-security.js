/**
 * kafkajs's `ssl` and `sasl` options. TLS is on when asked for or when any
 * TLS file is given, and always verifies the brokers (against the CA given,
 * else the system's): there is no switch to turn verification off.
 */
export function kafkaSecurityOptions(settings) {
    const tls = settings.ssl ||
        settings.caPem !== undefined ||
        settings.certPem !== undefined ||
        settings.keyPem !== undefined;
    const ssl = tls
        ? {
            rejectUnauthorized: true,
            ...(settings.caPem === undefined ? {} : { ca: [settings.caPem] }),
            ...(settings.certPem === undefined ? {} : { cert: settings.certPem }),
            ...(settings.keyPem === undefined ? {} : { key: settings.keyPem }),
        }
        : undefined;
    const sasl = settings.sasl === undefined ? undefined : { ...settings.sasl };
    return { ...(ssl === undefined ? {} : { ssl }), ...(sasl === undefined ? {} : { sasl }) };
}
//# sourceMappingURL=kafka-security.js.map