/** Linux errno values (include/uapi/asm-generic/errno-base.h and errno.h) that TDX paths return. */
import { isKeyOf } from '../encodings/keys';
export const ERRNO = {
  EPERM: 1, ENOENT: 2, EINTR: 4, EIO: 5, ENXIO: 6, E2BIG: 7, EBADF: 9, EAGAIN: 11, ENOMEM: 12,
  EACCES: 13, EFAULT: 14, EBUSY: 16, EEXIST: 17, ENODEV: 19, ENOTDIR: 20, EISDIR: 21, EINVAL: 22, EMFILE: 24,
  ENOTTY: 25, EFBIG: 27, ENOSPC: 28, EROFS: 30, EPIPE: 32, ENOSYS: 38, ENOTEMPTY: 39, EOPNOTSUPP: 95, ETIMEDOUT: 110,
} as const;

export type ErrnoName = keyof typeof ERRNO;

export const isErrnoName: (s: string) => s is ErrnoName = isKeyOf(ERRNO);

export function errnoName(value: number): ErrnoName | undefined {
  const v = Math.abs(value);
  return (Object.keys(ERRNO) as ErrnoName[]).find((k) => ERRNO[k] === v);
}

/** Kernel-style negative return value for an errno name. */
export const negErrno = (name: ErrnoName): number => -ERRNO[name];
