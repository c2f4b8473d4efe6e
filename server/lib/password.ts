import argon2 from 'argon2'

/**
 * argon2id at RFC 9106 §4's second recommended option (64 MiB, t=3, p=4), the
 * floor this project may not go under. Hashes made with weaker parameters are
 * rehashed at the next successful login (see needsRehash).
 */
export const ARGON2_OPTIONS = {
  type: argon2.argon2id,
  memoryCost: 64 * 1024,
  timeCost: 3,
  parallelism: 4
} as const

export const hashPassword = async (password: string): Promise<string> => argon2.hash(password, ARGON2_OPTIONS)

export async function verifyPassword (hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password)
  } catch {
    return false
  }
}

export const needsRehash = (hash: string): boolean => argon2.needsRehash(hash, ARGON2_OPTIONS)

export const MIN_PASSWORD_LENGTH = 12
