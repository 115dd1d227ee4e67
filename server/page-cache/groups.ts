/** The home page's channel list: every channel's count and most recently active thread. */
export const CHANNELS_GROUP = 'channels';
