// Skiff's default CNI network: a Linux bridge per node with host-local
// addresses from the node's pod CIDR, and loopback. No plugin that writes
// iptables rules (ipMasq off, no portmap): masquerade and host ports are the
// service proxy's nftables work, so the host's rules stay in one tool.

export const DEFAULT_BRIDGE = 'skiff0';
export const DEFAULT_NETWORK_NAME = 'skiff';
export const DEFAULT_CONFLIST_NAME = '10-skiff.conflist';

export interface BridgeNetworkOptions {
  /** The node's pod CIDR, e.g. 10.42.0.0/24. */
  podCIDR: string;
  bridge?: string;
  /** Where host-local keeps its leases. */
  ipamDataDir: string;
  mtu?: number;
}

export function bridgeConflist(o: BridgeNetworkOptions): object {
  return {
    cniVersion: '1.0.0',
    name: DEFAULT_NETWORK_NAME,
    plugins: [
      {
        type: 'bridge',
        bridge: o.bridge ?? DEFAULT_BRIDGE,
        isGateway: true,
        isDefaultGateway: true,
        ipMasq: false,
        hairpinMode: true,
        ...(o.mtu ? { mtu: o.mtu } : {}),
        ipam: {
          type: 'host-local',
          ranges: [[{ subnet: o.podCIDR }]],
          dataDir: o.ipamDataDir,
        },
      },
    ],
  };
}
