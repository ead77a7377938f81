import { z } from "@hono/zod-openapi";
import type { User } from "../generated/prisma/client";
import type { Me } from "../services/users";
import { pageQuery } from "./common";

export const RoleSchema = z.enum(["USER", "ADMIN"]);

export const UserSchema = z
  .object({
    id: z.uuid(),
    email: z
      .email()
      .nullable()
      .optional()
      .openapi({ description: "Only for the user themselves and admins; null when the user has none." }),
    name: z.string().nullable(),
    role: RoleSchema,
    postCount: z.number().int(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi("User");

/** Stored lowercased, so that users_email_key is unique whatever the case (the migration's CHECK holds it). */
const EmailInputSchema = z
  .email()
  .max(320)
  .toLowerCase()
  .openapi({ description: "Stored lowercased: two emails that differ only in case are the same email." });

export const CreateUserSchema = z
  .strictObject({
    email: EmailInputSchema,
    name: z.string().trim().min(1).max(200).optional(),
    role: RoleSchema.optional(),
  })
  .openapi("CreateUser");

export const UpdateUserSchema = z
  .strictObject({
    email: EmailInputSchema.optional(),
    name: z.string().trim().min(1).max(200).nullable().optional(),
    role: RoleSchema.optional(),
  })
  .openapi("UpdateUser");

export const ListUsersQuerySchema = z.strictObject({
  ...pageQuery,
  role: RoleSchema.optional(),
  q: z
    .string()
    .min(1)
    .max(100)
    .optional()
    .openapi({ description: "Case-insensitive match in the name (and, for admins, the email)" }),
});

/** Links a user to a token's identity: its subject, at JWT_ISSUER unless given. */
export const LinkIdentitySchema = z
  .strictObject({
    subject: z.string().min(1).max(255),
    issuer: z.string().min(1).max(2048).optional(),
  })
  .openapi("LinkIdentity");

export const UserPageSchema = z
  .object({ items: z.array(UserSchema), nextCursor: z.string().nullable() })
  .openapi("UserPage");

/** Who may see a user's email: the user and admins (`me`: src/services/users.ts). */
const showsEmail = (user: User, me: Me) => me.admin || me.userId === user.id;

export const toUserDto = (user: User, me: Me): z.infer<typeof UserSchema> => ({
  id: user.id,
  ...(showsEmail(user, me) ? { email: user.email } : {}),
  name: user.name,
  role: user.role,
  postCount: user.postCount,
  createdAt: user.createdAt.toISOString(),
  updatedAt: user.updatedAt.toISOString(),
});
