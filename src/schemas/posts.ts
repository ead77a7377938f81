import { z } from "@hono/zod-openapi";
import type { Post } from "../generated/prisma/client";
import { pageQuery } from "./common";

export const PostStatusSchema = z.enum(["DRAFT", "PUBLISHED"]);

export const PostSchema = z
  .object({
    id: z.uuid(),
    title: z.string(),
    content: z.string(),
    status: PostStatusSchema,
    authorId: z.uuid(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi("Post");

export const CreatePostSchema = z
  .strictObject({
    title: z.string().trim().min(1).max(200),
    content: z.string().max(50_000).optional(),
    status: PostStatusSchema.optional(),
    authorId: z.uuid().optional().openapi({ description: "Default: the caller. Only admins name another author." }),
  })
  .openapi("CreatePost");

export const UpdatePostSchema = z
  .strictObject({
    title: z.string().trim().min(1).max(200).optional(),
    content: z.string().max(50_000).optional(),
    status: PostStatusSchema.optional(),
  })
  .openapi("UpdatePost");

export const MovePostSchema = z.strictObject({ authorId: z.uuid() }).openapi("MovePost");

export const ListPostsQuerySchema = z.strictObject({
  ...pageQuery,
  authorId: z.uuid().optional(),
  status: PostStatusSchema.optional(),
  q: z.string().min(1).max(100).optional().openapi({ description: "Case-insensitive match in the title" }),
});

export const PostPageSchema = z
  .object({ items: z.array(PostSchema), nextCursor: z.string().nullable() })
  .openapi("PostPage");

export const toPostDto = (post: Post): z.infer<typeof PostSchema> => ({
  id: post.id,
  title: post.title,
  content: post.content,
  status: post.status,
  authorId: post.authorId,
  createdAt: post.createdAt.toISOString(),
  updatedAt: post.updatedAt.toISOString(),
});
