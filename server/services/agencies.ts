/** The agencies Strongroom is first deployed for: names used at bootstrap and by the demo. */
export const KNOWN_AGENCIES = [
  { code: 'AL-CUSTOMS', name: 'Albanian Customs Administration', country: 'AL', prefix: 'al' },
  { code: 'XK-CUSTOMS', name: 'Kosovo Customs', country: 'XK', prefix: 'xk' }
] as const
