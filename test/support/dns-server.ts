import dns2 from 'dns2';

const { Packet } = dns2;

/**
 * A real DNS server on loopback (dns2's UDP and TCP servers on one port) answering TXT questions from a
 * table the test changes as it goes: a name in `txt` answers its values (an empty list: the name
 * exists without TXT records), a name in `silent` is never answered (a timeout), any other name
 * is NXDOMAIN. `servers` is the IAM_DNS_SERVERS value that points at it.
 */
export class TestDnsServer {
  readonly txt = new Map<string, Array<string | string[]>>();
  readonly silent = new Set<string>();
  /** Names asked for, in order (lowercase). */
  readonly questions: string[] = [];
  private udp?: dns2.UDPServer;
  private tcp?: dns2.TCPServer;
  private port = 0;

  get servers(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    const handle: dns2.DnsHandler = (request, send) => this.answer(request, send);
    // TCP takes the port UDP was given; another process may hold it on TCP, so try a few.
    for (let attempt = 0; ; attempt++) {
      const udp = dns2.createUDPServer(handle);
      await udp.listen(0, '127.0.0.1');
      const port = udp.address().port;
      const tcp = dns2.createTCPServer(handle);
      try {
        await new Promise<void>((resolve, reject) => {
          tcp.once('error', reject);
          tcp.listen(port, '127.0.0.1', () => resolve());
        });
        Object.assign(this, { udp, tcp, port });
        return this;
      } catch (error) {
        udp.close();
        if (attempt >= 5) throw error;
      }
    }
  }

  async stop(): Promise<void> {
    this.udp?.close();
    await new Promise<void>((resolve) => (this.tcp ? this.tcp.close(() => resolve()) : resolve()));
  }

  private answer(request: dns2.Packet, send: (response: dns2.Packet) => Promise<Buffer>): void {
    const [question] = request.questions;
    const name = (question?.name ?? '').toLowerCase();
    this.questions.push(name);
    if (this.silent.has(name)) return;
    const response = Packet.createResponseFromRequest(request);
    const values = this.txt.get(name);
    if (values === undefined) {
      response.header.rcode = Packet.RCODE.NXDOMAIN;
    } else if (question?.type === Packet.TYPE.TXT) {
      for (const data of values) {
        response.answers.push({
          name: question.name,
          type: Packet.TYPE.TXT,
          class: Packet.CLASS.IN,
          ttl: 60,
          data,
        } as dns2.Packet.Resource); // records are plain objects (dns2's README); its typings want a class
      }
    }
    void send(response);
  }
}
